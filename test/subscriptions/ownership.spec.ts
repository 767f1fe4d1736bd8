import { expect } from 'chai';
import type { Knex } from '@mikro-orm/postgresql';
import { EventStore, ExpectedVersion } from '../../src';
import { lockConnectionPid, subscriptionRows } from '../support/store-probe';
import { connectStore, disposeStore, events, testDatabaseUrl, withClient } from '../support/stores';
import { Recorder, checkpointOf, range, sleep, subscriptionRow, trackedSubscriptions, waitForState, waitUntil } from './helpers';

/** Two stores on one schema behave like two processes: each has its own lock connection. */
describe('one owner across stores and processes', () => {
  let first: EventStore;
  let second: EventStore;
  const { unique, track } = trackedSubscriptions();

  before(async () => {
    first = await connectStore('owners');
    second = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: first.schema });
  });
  after(async () => {
    await second?.close();
    await disposeStore(first);
  });

  it('keeps a second subscriber waiting as a standby, without error or events, until the owner leaves', async () => {
    const stream = unique('s');
    const name = unique('sub');
    const owner = new Recorder();
    const standby = new Recorder();
    const ownerSub = await first.subscribeToStream(stream, name, owner.handler);
    await waitForState(ownerSub, 'live');
    const standbySub = track(await second.subscribeToStream(stream, name, standby.handler, { takeoverIntervalMs: 20, onError: standby.onError }));
    expect(standbySub.state).to.equal('standby');

    await first.appendToStream(stream, ExpectedVersion.NoStream, events(3));
    await owner.waitForCount(3);
    await sleep(60);
    expect(standby.events).to.have.length(0);
    expect(standbySub.state).to.equal('standby');
    expect(standby.errors).to.deep.equal([]);
    const epoch = (await subscriptionRow(first.schema, stream, name))!.epoch;

    await ownerSub.unsubscribe();
    await waitForState(standbySub, 'live');
    await first.appendToStream(stream, 3, events(2));
    await standby.waitForCount(2);
    expect(standby.numbers()).to.deep.equal([4, 5]);
    expect(owner.numbers()).to.deep.equal([1, 2, 3]);
    const row = (await subscriptionRow(first.schema, stream, name))!;
    expect(row.epoch).to.equal(epoch + 1);
    expect(row.owner).to.be.a('string');
  });

  it('stops an owner whose lock connection is lost at once, and lets the standby take over', async () => {
    const name = unique('all');
    const a = new Recorder();
    const b = new Recorder();
    const aSub = track(await first.subscribeToAllStreams(name, a.handler, { startFrom: 'current', takeoverIntervalMs: 20, onError: a.onError }));
    await waitForState(aSub, 'live');
    const bSub = track(await second.subscribeToAllStreams(name, b.handler, { startFrom: 'current', takeoverIntervalMs: 20 }));
    expect(bSub.state).to.equal('standby');
    await first.appendToStream(unique('x'), ExpectedVersion.Any, events(2));
    await a.waitForCount(2);

    const pid = await lockConnectionPid(first);
    await withClient((c) => c.query('select pg_terminate_backend($1)', [pid]));
    await waitForState(aSub, 'standby');
    expect(a.errors.length).to.be.at.least(1);
    await waitForState(bSub, 'live');
    await first.appendToStream(unique('y'), ExpectedVersion.Any, events(3));
    await b.waitForCount(3);
    await sleep(60);
    expect(a.events).to.have.length(2);
    expect(aSub.state).to.equal('standby');
    const last = a.numbers()[1];
    expect(b.numbers()).to.deep.equal(range(last + 1, last + 3));
  });

  it('fences off a deposed owner: its checkpoint writes are refused and it delivers again from the stored checkpoint', async () => {
    const stream = unique('fence');
    const name = unique('sub');
    await first.appendToStream(stream, ExpectedVersion.NoStream, events(2));
    const seen: number[] = [];
    const errors: Error[] = [];
    const sub = track(await first.subscribeToStream(stream, name, (batch) => {
      seen.push(...batch.map((e) => e.eventNumber));
    }, { takeoverIntervalMs: 20, onError: (e) => errors.push(e) }));
    await waitUntil(() => seen.length === 2, 'two events arrived');
    // Another owner claimed the row (as a process that took over would).
    await withClient((c) => c.query(`update "${first.schema}".subscriptions set epoch = epoch + 1 where stream_id = $1 and name = $2`, [stream, name]));
    await sub.ack(2);
    expect(await checkpointOf(first.schema, stream, name)).to.equal(0);
    expect(errors.some((e) => /another owner/.test(e.message))).to.equal(true);
    await waitUntil(() => seen.length === 4, 'the events came again in a new term');
    expect(seen).to.deep.equal([1, 2, 1, 2]);
  });

  it('ignores acknowledgements from a handler call of an earlier term', async () => {
    const stream = unique('terms');
    const name = unique('sub');
    await first.appendToStream(stream, ExpectedVersion.NoStream, events(2));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: number[][] = [];
    let lateAck: unknown = 'pending';
    const sub = track(await first.subscribeToStream(stream, name, async (batch, s) => {
      calls.push(batch.map((e) => e.eventNumber));
      if (calls.length === 1) {
        await gate;
        lateAck = await s.ack(batch).then(() => 'ignored', (error: Error) => error);
        return;
      }
      await s.ack(batch);
    }, { takeoverIntervalMs: 20, onError: () => undefined }));
    await waitUntil(() => calls.length === 1, 'the first call started');
    const pid = await lockConnectionPid(first);
    await withClient((c) => c.query('select pg_terminate_backend($1)', [pid]));
    await waitUntil(() => calls.length === 2, 'the new term delivered again');
    await waitUntil(async () => (await checkpointOf(first.schema, stream, name)) === 2, 'the new term acknowledged');
    release();
    await waitUntil(() => lateAck !== 'pending', 'the old call acknowledged');
    expect(lateAck).to.equal('ignored');
    expect(calls).to.deep.equal([[1, 2], [1, 2]]);
    expect(sub.state).to.equal('live');
  });

  it('moves a checkpoint only with the current epoch, inside a caller transaction if given (how projections commit)', async () => {
    const rows = await subscriptionRows(first);
    // The caller's transaction, as a projection batch has it.
    const inTransaction = <T>(fn: (trx: Knex.Transaction) => Promise<T>) =>
      first.orm.em.fork().transactional((em) => fn(em.getTransactionContext<Knex.Transaction>()!));
    const row = await rows.getOrCreate('$all', unique('projection'), 0);
    const old = (await rows.claim(row.id, 'old'))!;
    const current = (await rows.claim(row.id, 'new'))!;
    expect(current.epoch).to.equal(old.epoch + 1);
    expect(await rows.checkpoint(old, 10)).to.equal(false);

    await inTransaction(async (trx) => {
      expect(await rows.checkpoint(current, 5, { trx, expected: 1 })).to.equal(false);
      expect(await rows.checkpoint(current, 5, { trx, expected: 0 })).to.equal(true);
    });
    expect((await rows.get('$all', row.name))!.last_seen).to.equal(5);

    const rolledBack = await inTransaction(async (trx) => {
      await rows.checkpoint(current, 9, { trx, expected: 5 });
      throw new Error('read model failed');
    }).catch((error: Error) => error);
    expect(rolledBack).to.be.instanceOf(Error);
    expect((await rows.get('$all', row.name))!.last_seen).to.equal(5);
  });
});
