import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  StreamDeletedError,
  StreamNotFoundError,
} from '../../src';
import type { RecordedEvent } from '../../src';
import { caught, connectStore, disposeStore, events } from '../support/stores';
import { countsWithRetention as tableCounts, refusedWithoutWrites } from './helpers';

const n = (e: RecordedEvent) => (e.data as { n: number }).n;
const label = (e: RecordedEvent) => `${e.streamId}:${e.streamVersion}`;

describe('truncateStream', () => {
  let store: EventStore;
  let k = 0;
  const stream = (name: string) => `${name}-${++k}`;

  before(async () => {
    store = await connectStore('truncate', { enableHardDeletes: true });
  });
  after(() => disposeStore(store));

  async function allEvents(): Promise<RecordedEvent[]> {
    return store.readAllForward(0, 100_000);
  }

  it('removes the versions below beforeVersion, keeps the version, and the next append continues it', async () => {
    const id = stream('keep');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(5));
    const result = await store.truncateStream(id, 4);
    expect(result).to.deep.equal({ streamVersion: 5, removed: 3 });
    expect((await store.readStreamForward(id)).map((e) => e.eventNumber)).to.deep.equal([4, 5]);
    expect((await store.readStreamBackward(id)).map((e) => e.eventNumber)).to.deep.equal([5, 4]);
    expect((await store.streamInfo(id)).streamVersion).to.equal(5);
    expect(await store.appendToStream(id, 5, events(1, 'TestEvent', 6))).to.include({ streamVersion: 6 });
    expect((await store.readStreamForward(id)).map(n)).to.deep.equal([4, 5, 6]);
    expect((await store.getStreamRetention(id)).truncatedBefore).to.equal(4);
  });

  it('removes the events from $all: every reader skips their positions, in order, without waiting', async () => {
    const a = stream('all-a');
    const b = stream('all-b');
    // Interleaved single-event appends, then one batch of a that the truncation cuts in two.
    for (let i = 1; i <= 20; i++) {
      await store.appendToStream(a, ExpectedVersion.Any, events(1, 'A', i));
      await store.appendToStream(b, ExpectedVersion.Any, events(1, 'B', i));
    }
    await store.appendToStream(a, ExpectedVersion.Any, events(10, 'A', 21));
    const before = (await allEvents()).filter((e) => e.streamId === a || e.streamId === b);
    await store.truncateStream(a, 25);

    const expected = before.filter((e) => e.streamId !== a || e.streamVersion >= 25);
    const mine = (list: RecordedEvent[]) => list.filter((e) => e.streamId === a || e.streamId === b);
    expect(mine(await allEvents()).map(label)).to.deep.equal(expected.map(label));
    expect(mine(await allEvents()).map((e) => e.position)).to.deep.equal(expected.map((e) => e.position));

    // Small pages still come full: a gap never ends a page early.
    const first = expected[0].position;
    const page = await store.readAllForward(first, 5);
    expect(page.map(label)).to.deep.equal(expected.slice(0, 5).map(label));

    const streamed: RecordedEvent[] = [];
    for await (const e of store.streamAllForward(first, { batchSize: 3 })) streamed.push(e);
    expect(mine(streamed).map(label)).to.deep.equal(expected.map(label));

    const filtered = await store.readAllForward(0, 1000, { filter: { eventTypes: ['A'] } });
    expect(filtered.filter((e) => e.streamId === a).map((e) => e.streamVersion)).to.deep.equal([25, 26, 27, 28, 29, 30]);
    const byPrefix = await store.readAllForward(0, 1000, { filter: { streamPrefix: a } });
    expect(byPrefix.map((e) => e.streamVersion)).to.deep.equal([25, 26, 27, 28, 29, 30]);

    const backward = mine(await store.readAllBackward(-1, 100_000));
    expect(backward.map(label)).to.deep.equal([...expected].reverse().map(label));
  });

  it('reads over a long removed stretch inside one append, in both directions', async () => {
    const before = stream('stretch-before');
    const id = stream('stretch');
    const after = stream('stretch-after');
    await store.appendToStream(before, ExpectedVersion.NoStream, events(2));
    await store.appendToStream(id, ExpectedVersion.NoStream, events(60));
    await store.appendToStream(after, ExpectedVersion.NoStream, events(2));
    const [first] = await store.readStreamForward(id, 1, 1);
    await store.truncateStream(id, 58);
    const labels = (list: RecordedEvent[]) => list.map(label);
    expect(labels(await store.readAllForward(first.position, 4))).to.deep.equal([`${id}:58`, `${id}:59`, `${id}:60`, `${after}:1`]);
    expect(labels(await store.readAllForward(first.position - 1, 2))).to.deep.equal([`${before}:2`, `${id}:58`]);
    expect(labels(await store.readAllBackward(first.position + 50, 2))).to.deep.equal([`${before}:2`, `${before}:1`]);
    expect(labels(await store.readAllBackward(first.position + 58, 3))).to.deep.equal([`${id}:59`, `${id}:58`, `${before}:2`]);
  });

  it('can remove every version; the store goes on numbering $all after the removed positions', async () => {
    const id = stream('whole');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
    const last = (await store.readStreamForward(id))[2].position;
    expect((await store.truncateStream(id, 4)).removed).to.equal(3);
    expect(await store.readStreamForward(id)).to.deep.equal([]);
    expect((await store.streamInfo(id)).streamVersion).to.equal(3);
    expect((await allEvents()).filter((e) => e.streamId === id)).to.deep.equal([]);
    expect(await store.readAllForward(last - 2, 10)).to.deep.equal([]);
    const { position } = await store.appendToStream(id, 3, events(1));
    expect(position).to.be.greaterThan(last);
    expect((await store.readAllForward(last - 2, 10)).map(label)).to.deep.equal([`${id}:4`]);
  });

  it('a persistent subscription to the stream goes on from the first version left, and its checkpoint past the removed ones', async () => {
    const id = stream('subscribed');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(6));
    await store.truncateStream(id, 5);
    const seen: number[] = [];
    const sub = await store.subscribeToStream(id, 'after-truncation', async (batch, s) => {
      seen.push(...batch.map((e) => e.eventNumber));
      await s.ack(batch);
    });
    try {
      await store.appendToStream(id, 6, events(1, 'TestEvent', 7));
      for (const deadline = Date.now() + 5000; seen.length < 3 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await sub.unsubscribe();
    }
    expect(seen).to.deep.equal([5, 6, 7]);
  });

  it('removes links to the removed events from other streams, and the stream\'s own links below the version', async () => {
    const source = stream('source');
    const other = stream('other');
    const category = stream('category');
    await store.appendToStream(source, ExpectedVersion.NoStream, events(3));
    await store.appendToStream(other, ExpectedVersion.NoStream, events(2));
    const sourceEvents = await store.readStreamForward(source);
    const otherEvents = await store.readStreamForward(other);
    // category: 1 other#1 (link), 2 source#1, 3 source#3, 4 other#2
    await store.linkToStream(category, ExpectedVersion.NoStream, [otherEvents[0], sourceEvents[0], sourceEvents[2], otherEvents[1]]);

    await store.truncateStream(source, 3);
    expect((await store.readStreamForward(category)).map((e) => `${e.eventNumber}=${label(e)}`))
      .to.deep.equal([`1=${other}:1`, `3=${source}:3`, `4=${other}:2`]);

    expect(await store.truncateStream(category, 4)).to.deep.equal({ streamVersion: 4, removed: 2 });
    expect((await store.readStreamForward(category)).map((e) => `${e.eventNumber}=${label(e)}`)).to.deep.equal([`4=${other}:2`]);
    // The linked events themselves stay in their own streams.
    expect((await store.readStreamForward(other)).map(label)).to.deep.equal([`${other}:1`, `${other}:2`]);
    expect((await store.readStreamForward(source)).map(label)).to.deep.equal([`${source}:3`]);
  });

  it('removes nothing with beforeVersion 1, or again at the version already truncated to', async () => {
    const id = stream('noop');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
    expect((await store.truncateStream(id, 1)).removed).to.equal(0);
    expect((await store.truncateStream(id, 2)).removed).to.equal(1);
    expect((await store.truncateStream(id, 2)).removed).to.equal(0);
    expect((await store.truncateStream(id, 1)).removed).to.equal(0);
    expect((await store.getStreamRetention(id)).truncatedBefore).to.equal(2);
  });

  describe('bad input (typed errors, nothing written)', () => {
    let id: string;
    let deleted: string;
    before(async () => {
      id = stream('bad');
      deleted = stream('bad-deleted');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
      await store.appendToStream(deleted, ExpectedVersion.NoStream, events(3));
      await store.deleteStream(deleted, 3);
    });

    const refused = (attempt: () => Promise<unknown>) => refusedWithoutWrites(store.schema, attempt);

    it('an unknown stream: StreamNotFoundError', async () => {
      expect(await refused(() => store.truncateStream(stream('nobody'), 1))).to.be.instanceOf(StreamNotFoundError);
    });

    it('a soft-deleted stream: StreamDeletedError', async () => {
      expect(await refused(() => store.truncateStream(deleted, 2))).to.be.instanceOf(StreamDeletedError);
    });

    it('beforeVersion beyond the stream\'s version + 1: InvalidArgumentError naming the next version', async () => {
      const error = await refused(() => store.truncateStream(id, 5));
      expect(error).to.be.instanceOf(InvalidArgumentError).and.to.include({ code: 'invalid_argument', argument: 'beforeVersion' });
      expect(error.message).to.contain('(4)');
    });

    for (const bad of [0, -1, 1.5, Number.NaN, '2', null, undefined, 2 ** 60]) {
      it(`beforeVersion ${String(bad)}: InvalidArgumentError`, async () => {
        const error = await refused(() => store.truncateStream(id, bad as number));
        expect(error).to.be.instanceOf(InvalidArgumentError).and.to.include({ argument: 'beforeVersion' });
      });
    }

    for (const bad of ['', '$all', 42, null]) {
      it(`stream id ${JSON.stringify(bad)}: InvalidArgumentError`, async () => {
        expect(await refused(() => store.truncateStream(bad as string, 1))).to.be.instanceOf(InvalidArgumentError);
      });
    }
  });

  it('a hard delete removes the stream\'s snapshot and retention too', async () => {
    const id = stream('hard');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
    await store.recordSnapshot({ sourceId: id, sourceVersion: 3, sourceType: 'T', data: { x: 1 } });
    await store.setStreamRetention(id, { maxCount: 2 });
    const counts = await tableCounts(store.schema);
    await store.deleteStream(id, 3, { hard: true });
    const after = await tableCounts(store.schema);
    expect(after.snapshots).to.equal(counts.snapshots - 1);
    expect(after.stream_retention).to.equal(counts.stream_retention - 1);
    expect(await caught(store.readSnapshot(id))).to.have.property('code', 'snapshot_not_found');
  });
});
