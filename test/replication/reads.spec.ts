/**
 * Reads served by a hot standby: they go there (a standby whose replay is
 * paused does not show others' new events), a store reads its own writes
 * (the read waits for the standby's replay), and a standby that falls
 * behind or goes away is handled as configured.
 */
import { expect } from 'chai';
import { EventStore, ExpectedVersion, ReplicaTimeoutError, ReplicaUnavailableError, StreamNotFoundError } from '../../src';
import type { Standby } from '../../support/standby';
import { standbyOrSkip } from '../support/standby';
import { caught, dropSchema, events } from '../support/stores';
import { pauseReplay, primaryStore, replicaStore, resumeReplay, sleep, stateAfter, uniqueSchema } from './helpers';

describe('reads on a hot standby', function () {
  this.timeout(60_000);
  let standby: Standby;
  let schema: string;
  let writer: EventStore;
  const stores: EventStore[] = [];

  async function store(options: Parameters<typeof replicaStore>[2] = {}): Promise<EventStore> {
    const opened = await replicaStore(standby, schema, options);
    stores.push(opened);
    return opened;
  }

  before(async function () {
    standby = await standbyOrSkip(this);
    schema = uniqueSchema('replica_reads');
    writer = await primaryStore(schema);
  });

  afterEach(async () => {
    await resumeReplay(standby).catch(() => undefined);
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  after(async () => {
    await writer?.close();
    if (schema) await dropSchema(schema);
  });

  it('serves stream and $all reads and streamInfo from the standby: others\' writes show once it has replayed them', async () => {
    const reader = await store();
    await writer.appendToStream('seen', ExpectedVersion.NoStream, events(2));
    await standby.caughtUp();
    expect(await reader.readStreamForward('seen')).to.have.length(2);
    await pauseReplay(standby);
    await writer.appendToStream('seen', 2, events(3));
    await writer.appendToStream('unseen', ExpectedVersion.NoStream, events(1));
    // The primary has them; a standby that replays nothing does not.
    expect(await writer.readStreamForward('seen')).to.have.length(5);
    expect(await reader.readStreamForward('seen')).to.have.length(2);
    expect((await reader.streamInfo('seen')).streamVersion).to.equal(2);
    expect(await caught(reader.readStreamForward('unseen'))).to.be.instanceOf(StreamNotFoundError);
    const all = await reader.readAllForward(0, 1000);
    expect(all.filter((e) => e.streamId === 'seen')).to.have.length(2);
    await resumeReplay(standby);
    await standby.caughtUp();
    expect(await reader.readStreamForward('seen')).to.have.length(5);
    expect(await reader.readStreamForward('unseen')).to.have.length(1);
  });

  it('reads its own writes: every read right after an append sees it', async () => {
    const own = await store();
    for (let i = 1; i <= 40; i++) {
      await own.appendToStream('own', i - 1, events(1, 'Own', i));
      const read = await own.readStreamForward('own', i, 1);
      expect(read.map((e) => e.data), `append ${i}`).to.deep.equal([{ n: i }]);
      const [last] = await own.readAllBackward(-1, 1);
      expect(last.eventId).to.equal(read[0].eventId);
      expect((await own.streamInfo('own')).streamVersion).to.equal(i);
    }
  });

  it('reads its own writes made in a caller\'s transaction once it has committed', async () => {
    const own = await store({ replica: { fallback: 'wait', timeoutMs: 20_000 } });
    await own.readAllBackward(-1, 1);
    await pauseReplay(standby);
    await own.orm.em.fork().transactional(async (em) => {
      await own.appendToStream('own-tx', ExpectedVersion.NoStream, events(2), { em });
    });
    const read = own.readStreamForward('own-tx');
    expect(await stateAfter(read, 500), 'the read waits while replay is paused').to.equal('pending');
    await resumeReplay(standby);
    expect(await read).to.have.length(2);
  });

  it('waits for the standby to replay its own append before reading', async () => {
    const own = await store({ replica: { fallback: 'wait', timeoutMs: 20_000 } });
    await own.readAllBackward(-1, 1);
    await pauseReplay(standby);
    await own.appendToStream('waited', ExpectedVersion.NoStream, events(1));
    const read = own.readStreamForward('waited');
    expect(await stateAfter(read, 500), 'the read waits while replay is paused').to.equal('pending');
    await resumeReplay(standby);
    expect(await read).to.have.length(1);
  });

  it('fallback "primary": a standby that does not replay in time is passed by for the primary', async () => {
    const own = await store({ replica: { fallback: 'primary', timeoutMs: 300 } });
    await own.readAllBackward(-1, 1);
    await pauseReplay(standby);
    await own.appendToStream('fell-behind', ExpectedVersion.NoStream, events(2));
    expect(await own.readStreamForward('fell-behind')).to.have.length(2);
    // Behind: later reads go to the primary at once, without waiting again.
    const started = Date.now();
    await own.appendToStream('fell-behind', 2, events(1));
    expect(await own.readStreamForward('fell-behind')).to.have.length(3);
    expect(Date.now() - started).to.be.lessThan(250);
  });

  it('fallback "error": a standby that does not replay in time is a ReplicaTimeoutError', async () => {
    const own = await store({ replica: { fallback: 'error', timeoutMs: 300 } });
    await own.readAllBackward(-1, 1);
    await pauseReplay(standby);
    await own.appendToStream('too-late', ExpectedVersion.NoStream, events(1));
    const error = await caught(own.readStreamForward('too-late'));
    expect(error).to.be.instanceOf(ReplicaTimeoutError);
    expect(error.code).to.equal('replica_timeout');
    expect(error.timeoutMs).to.equal(300);
    await resumeReplay(standby);
    expect(await own.readStreamForward('too-late')).to.have.length(1);
  });

  it('spreads reads over a list of standbys, passing by one that cannot be reached', async () => {
    const unreachable = new URL(standby.url);
    unreachable.port = '1';
    const own = await replicaStore(standby, schema, { replicaUrl: [unreachable.toString(), standby.url], replica: { fallback: 'error' } });
    stores.push(own);
    await own.appendToStream('listed', ExpectedVersion.NoStream, events(1));
    for (let i = 0; i < 4; i++) expect(await own.readStreamForward('listed')).to.have.length(1);
    await pauseReplay(standby);
    await writer.appendToStream('listed', 1, events(1));
    // Still the standby (paused), not the primary.
    expect(await own.readStreamForward('listed')).to.have.length(1);
  });

  describe('a standby that goes away', () => {
    afterEach(async () => {
      await standby.start();
    });

    it('fallback "primary": reads go to the primary while it is gone, and back once it returns', async () => {
      const own = await store({ replica: { fallback: 'primary', retryAfterMs: 200 } });
      await own.appendToStream('gone', ExpectedVersion.NoStream, events(1));
      expect(await own.readStreamForward('gone')).to.have.length(1);
      await standby.stop();
      await own.appendToStream('gone', 1, events(1));
      expect(await own.readStreamForward('gone')).to.have.length(2);
      expect((await own.streamInfo('gone')).streamVersion).to.equal(2);
      await standby.start();
      await sleep(250);
      await writer.appendToStream('gone', 2, events(1));
      await standby.caughtUp();
      await pauseReplay(standby);
      await writer.appendToStream('gone', 3, events(1));
      // Served by the standby again: it shows 3 of the primary's 4.
      expect(await own.readStreamForward('gone')).to.have.length(3);
    });

    it('fallback "error": a ReplicaUnavailableError while it is gone', async () => {
      const own = await store({ replica: { fallback: 'error' } });
      await own.readAllBackward(-1, 1);
      await standby.stop();
      const error = await caught(own.readAllForward(0, 10));
      expect(error).to.be.instanceOf(ReplicaUnavailableError);
      expect(error.code).to.equal('replica_unavailable');
      expect(error.message).not.to.contain('eventstore@');
    });

    it('fallback "wait": a read waits for the standby to come back', async () => {
      const own = await store({ replica: { fallback: 'wait', timeoutMs: 30_000, retryAfterMs: 100 } });
      await own.appendToStream('back', ExpectedVersion.NoStream, events(1));
      await standby.stop();
      const read = own.readStreamForward('back');
      expect(await stateAfter(read, 400)).to.equal('pending');
      await standby.start();
      expect(await read).to.have.length(1);
    });
  });
});
