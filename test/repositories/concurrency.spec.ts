/**
 * Concurrent writers are settled by the database, not by a check made before
 * the write: in each test a transaction of our own first holds the stream's
 * row (or the key of a stream not created yet), the writers are started, and
 * the hold is released only once every writer waits inside the database.
 */
import { expect } from 'chai';
import type { Client } from 'pg';
import {
  EventStore,
  ExpectedVersion,
  StreamExistsError,
  WrongExpectedVersionError,
} from '../../src';
import type { AppendResult, ExpectedVersionValue } from '../../src';
import { caught, connectStore, disposeStore, events, tableCounts, withClient } from '../support/stores';
import { outcomes, waitForLockWaiters } from './helpers';

describe('concurrent appends', () => {
  let store: EventStore;
  let n = 0;
  const stream = (label: string) => `${label}-${++n}`;

  before(async () => {
    store = await connectStore('concurrency');
  });
  after(() => disposeStore(store));

  /**
   * Holds `hold` (a statement run in a transaction of our own) while
   * `writers` appends start and queue up in the database, then ends that
   * transaction with `release`.
   */
  async function raced(
    id: string,
    writers: number,
    expected: ExpectedVersionValue,
    hold: (c: Client) => Promise<unknown>,
    release: 'commit' | 'rollback',
  ): Promise<PromiseSettledResult<AppendResult>[]> {
    return withClient(async (blocker) => {
      await blocker.query('begin');
      await hold(blocker);
      const settled = Promise.allSettled(
        Array.from({ length: writers }, (_, i) => store.appendToStream(id, expected, events(2, `Writer${i}`))));
      try {
        await waitForLockWaiters(`"${store.schema}".es_append(`, writers);
      } finally {
        await blocker.query(release);
      }
      return settled;
    });
  }

  const lockRow = (id: string) => (c: Client) => c.query(`select 1 from "${store.schema}".streams where stream_id = $1 for update`, [id]);
  const insertKey = (id: string) => (c: Client) => c.query(`insert into "${store.schema}".streams (stream_id) values ($1)`, [id]);

  it('lets exactly 1 of 4 appends at the same expected version succeed; the others get WrongExpectedVersionError', async () => {
    const id = stream('exact');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
    const before = await tableCounts(store.schema);

    const { ok, errors } = outcomes(await raced(id, 4, 2, lockRow(id), 'commit'));

    expect(ok.map((r) => r.streamVersion)).to.deep.equal([4]);
    expect(errors).to.have.length(3);
    for (const error of errors) {
      expect(error).to.be.instanceOf(WrongExpectedVersionError);
      expect(error).to.include({ expectedVersion: 2, actualVersion: 4 });
    }
    const read = await store.readStreamForward(id);
    expect(read.map((e) => e.streamVersion)).to.deep.equal([1, 2, 3, 4]);
    const after = await tableCounts(store.schema);
    expect(after).to.include({ events: before.events + 2, all_positions: before.all_positions + 1 });
  });

  it('gives 10 concurrent ExpectedVersion.Any appends consecutive versions, without gaps or duplicates', async () => {
    const id = stream('any');
    const results = await raced(id, 10, ExpectedVersion.Any, insertKey(id), 'rollback');
    const { ok, errors } = outcomes(results);

    expect(errors).to.deep.equal([]);
    expect(ok.map((r) => r.streamVersion).sort((a, b) => a - b)).to.deep.equal([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    const read = await store.readStreamForward(id);
    expect(read.map((e) => e.streamVersion)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each append's two events are adjacent, in their order.
    for (let i = 0; i < 20; i += 2) {
      expect(read[i].eventType).to.equal(read[i + 1].eventType);
      expect([(read[i].data as { n: number }).n, (read[i + 1].data as { n: number }).n]).to.deep.equal([1, 2]);
    }
    expect(new Set(read.map((e) => e.eventType)).size).to.equal(10);
    // And $all holds them once each, in stream order.
    const inAll = (await store.readAllForward(0, 100_000)).filter((e) => e.streamId === id);
    expect(inAll.map((e) => e.streamVersion)).to.deep.equal(read.map((e) => e.streamVersion));
  });

  it('lets exactly 1 of 10 concurrent NoStream creations of a stream succeed; the others get StreamExistsError', async () => {
    const id = stream('create');
    const before = await tableCounts(store.schema);

    const { ok, errors } = outcomes(await raced(id, 10, ExpectedVersion.NoStream, insertKey(id), 'rollback'));

    expect(ok.map((r) => r.streamVersion)).to.deep.equal([2]);
    expect(errors).to.have.length(9);
    for (const error of errors) {
      expect(error).to.be.instanceOf(StreamExistsError);
      expect(error).to.include({ code: 'stream_exists', streamId: id, actualVersion: 2 });
    }
    expect(await store.readStreamForward(id)).to.have.length(2);
    expect(await tableCounts(store.schema)).to.include({ streams: before.streams + 1, events: before.events + 2 });
  });

  it('lets exactly 1 of 4 concurrent creations at expected version 0 succeed; the others get WrongExpectedVersionError', async () => {
    const id = stream('zero');
    const { ok, errors } = outcomes(await raced(id, 4, 0, insertKey(id), 'rollback'));
    expect(ok.map((r) => r.streamVersion)).to.deep.equal([2]);
    expect(errors).to.have.length(3);
    for (const error of errors) expect(error).to.be.instanceOf(WrongExpectedVersionError);
  });

  it('refuses NoStream for a stream created long ago with StreamExistsError', async () => {
    const id = stream('old');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(1));
    for (let i = 0; i < 5; i++) await store.appendToStream(stream('noise'), ExpectedVersion.Any, events(1));
    const before = await tableCounts(store.schema);
    const error = await caught(store.appendToStream(id, ExpectedVersion.NoStream, events(1)));
    expect(error).to.be.instanceOf(StreamExistsError);
    expect(error).to.include({ actualVersion: 1 });
    expect(await tableCounts(store.schema)).to.deep.equal(before);
  });
});
