import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Aggregate, AggregateRoot, Apply, DomainEvent, EventStore, StreamTruncatedError } from '../../src';
import { caught, connectStore, disposeStore } from '../support/stores';

@DomainEvent('RetSpecCounted')
class Counted {
  constructor(readonly n: number) {}
}

/** Snapshots every 5 events; `total` is the sum of every n ever counted. */
@Aggregate('RetSpecSnapCounter', { snapshotEvery: 5 })
class SnapCounter extends AggregateRoot {
  total = 0;
  count(...values: number[]): void {
    for (const n of values) this.raise(new Counted(n));
  }
  @Apply(Counted) counted(e: Counted): void {
    this.total += e.n;
  }
}

@Aggregate('RetSpecPlainCounter')
class PlainCounter extends AggregateRoot {
  total = 0;
  count(...values: number[]): void {
    for (const n of values) this.raise(new Counted(n));
  }
  @Apply(Counted) counted(e: Counted): void {
    this.total += e.n;
  }
}

describe('aggregates of truncated streams', () => {
  let store: EventStore;

  before(async () => {
    store = await connectStore('retention_aggregates');
  });
  after(() => disposeStore(store));

  /** A saved aggregate with `n` events (1, 2, … n), saved one event at a time. */
  async function saved<T extends SnapCounter | PlainCounter>(type: new () => T, n: number): Promise<{ id: string; stream: string }> {
    const repository = store.aggregateRepository(type);
    const id = randomUUID();
    for (let i = 1; i <= n; i++) await repository.update(id, (a) => a.count(i), { createIfMissing: true });
    return { id, stream: repository.streamId(id) };
  }

  it('loads from a snapshot that covers the removed versions, and saves on after it', async () => {
    const repository = store.aggregateRepository(SnapCounter);
    const { id, stream } = await saved(SnapCounter, 12);
    expect((await store.readSnapshot(stream)).sourceVersion).to.equal(10);
    await store.truncateStream(stream, 11);
    const loaded = await repository.load(id);
    expect(loaded).to.include({ total: 78, version: 12 });
    loaded.count(13);
    await repository.save(loaded);
    expect(await repository.load(id)).to.include({ total: 91, version: 13 });
  });

  it('loads from a snapshot at the stream\'s version when every event was removed', async () => {
    const repository = store.aggregateRepository(SnapCounter);
    const { id, stream } = await saved(SnapCounter, 10);
    await store.truncateStream(stream, 11);
    expect(await repository.load(id)).to.include({ total: 55, version: 10 });
  });

  it('without a snapshot: StreamTruncatedError with the version needed and the first one left', async () => {
    const { id, stream } = await saved(PlainCounter, 4);
    await store.truncateStream(stream, 3);
    const error = await caught(store.aggregateRepository(PlainCounter).load(id));
    expect(error).to.be.instanceOf(StreamTruncatedError)
      .and.to.include({ code: 'stream_truncated', streamId: stream, neededVersion: 1, firstVersion: 3 });
    expect(await caught(store.aggregateRepository(PlainCounter).update(id, (a) => a.count(5)))).to.be.instanceOf(StreamTruncatedError);
    expect((await store.streamInfo(stream)).streamVersion).to.equal(4);
  });

  it('without a snapshot and no event left: StreamTruncatedError, never a new aggregate at version 0', async () => {
    const { id, stream } = await saved(PlainCounter, 2);
    await store.truncateStream(stream, 3);
    const error = await caught(store.aggregateRepository(PlainCounter).load(id));
    expect(error).to.be.instanceOf(StreamTruncatedError).and.to.include({ neededVersion: 1, firstVersion: null });
  });

  it('a snapshot older than the truncation: StreamTruncatedError', async () => {
    const repository = store.aggregateRepository(SnapCounter);
    const { id, stream } = await saved(SnapCounter, 13);
    await store.truncateStream(stream, 12);
    expect(await caught(repository.load(id))).to.be.instanceOf(StreamTruncatedError)
      .and.to.include({ neededVersion: 11, firstVersion: 12 });
    await store.truncateStream(stream, 14);
    expect(await caught(repository.load(id))).to.be.instanceOf(StreamTruncatedError)
      .and.to.include({ neededVersion: 11, firstVersion: null });
  });
});
