import { expect } from 'chai';
import { Exclude, Type } from 'class-transformer';
import { randomUUID } from 'node:crypto';
import {
  Aggregate,
  AggregateRepository,
  AggregateRoot,
  Apply,
  BigIntField,
  DomainEvent,
  EventStore,
  InvalidArgumentError,
  SnapshotNotFoundError,
} from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { Account } from './fixtures';

@DomainEvent('SpecTicked')
class Ticked {
  constructor(readonly n: number) {}
}

class Stats {
  @BigIntField() sum = 0n;
  @Type(() => Date) lastTickAt?: Date;

  mean(ticks: number): number {
    return Number(this.sum) / ticks;
  }
}

@Aggregate('SpecMeter', { snapshotEvery: 3, snapshotVersion: 2 })
class Meter extends AggregateRoot {
  ticks = 0;
  @Type(() => Stats) stats = new Stats();
  /** Events applied to this instance: after a load, the events replayed on top of the snapshot. */
  @Exclude() replayed = 0;

  tick(...values: number[]): void {
    for (const n of values) this.raise(new Ticked(n));
  }

  @Apply(Ticked) ticked(e: Ticked): void {
    this.ticks++;
    this.stats.sum += BigInt(e.n);
    this.stats.lastTickAt = new Date(Date.UTC(2026, 0, this.ticks));
    this.replayed++;
  }
}

@DomainEvent('SpecHoarded')
class Hoarded {
  constructor(readonly n: number) {}
}

/** Its state holds a bigint without @BigIntField: the snapshot cannot be stored. */
@Aggregate('SpecHoard', { snapshotEvery: 1 })
class Hoard extends AggregateRoot {
  total = 0n;

  add(n: number): void {
    this.raise(new Hoarded(n));
  }

  @Apply(Hoarded) hoarded(e: Hoarded): void {
    this.total += BigInt(e.n);
  }
}

describe('aggregate snapshots', () => {
  let store: EventStore;
  let meters: AggregateRepository<Meter>;

  before(async () => {
    store = await connectStore('snapshots');
    meters = store.aggregateRepository(Meter);
  });
  after(() => disposeStore(store));

  async function meterWith(...values: number[]): Promise<string> {
    const id = randomUUID();
    await meters.update(id, (m) => m.tick(...values), { createIfMissing: true });
    return id;
  }

  it('takes none before the version reaches snapshotEvery', async () => {
    const id = await meterWith(1, 2);
    expect(await caught(store.readSnapshot(meters.streamId(id)))).to.be.instanceOf(SnapshotNotFoundError);
  });

  it('records the aggregate’s own fields at the version reached, with the snapshot version', async () => {
    const id = await meterWith(1, 2);
    await meters.update(id, (m) => m.tick(3));
    const snapshot = await store.readSnapshot(meters.streamId(id));
    expect(snapshot).to.include({ sourceId: `SpecMeter-${id}`, sourceVersion: 3, sourceType: 'SpecMeter' });
    expect(snapshot.metadata).to.deep.equal({ snapshotVersion: 2 });
    // No id, version, uncommitted events or @Exclude()d fields.
    expect(snapshot.data).to.deep.equal({ ticks: 3, stats: { sum: '6', lastTickAt: '2026-01-03T00:00:00.000Z' } });
  });

  it('loads from the snapshot and replays only the events after it', async () => {
    const id = await meterWith(1, 2, 3);
    await meters.update(id, (m) => m.tick(4, 5));
    expect((await store.readSnapshot(meters.streamId(id))).sourceVersion).to.equal(3);

    const meter = await meters.load(id);
    expect(meter.replayed).to.equal(2);
    expect(meter).to.include({ id, version: 5, ticks: 5 });
    expect(meter.stats).to.be.instanceOf(Stats);
    expect(meter.stats.sum).to.equal(15n);
    expect(meter.stats.mean(meter.ticks)).to.equal(3);
    expect(meter.stats.lastTickAt).to.be.instanceOf(Date);
    expect(meter.uncommittedEvents).to.have.length(0);
  });

  it('loads from a snapshot at the stream’s last version with no further events', async () => {
    const id = await meterWith(1, 2, 3);
    const meter = await meters.load(id);
    expect(meter).to.include({ replayed: 0, version: 3, ticks: 3 });
    meter.tick(4);
    await meters.save(meter);
    expect(await meters.load(id)).to.include({ version: 4, ticks: 4 });
  });

  it('takes one snapshot, at the final version, for a save that crosses several multiples', async () => {
    const id = await meterWith(1);
    await meters.update(id, (m) => m.tick(1, 1, 1, 1, 1, 1, 1));
    expect((await store.readSnapshot(meters.streamId(id))).sourceVersion).to.equal(8);
    expect(await meters.load(id)).to.include({ replayed: 0, version: 8, ticks: 8 });
  });

  describe('a snapshot the aggregate did not take at its current snapshot version', () => {
    async function meterWithSnapshot(metadata: Record<string, unknown>, sourceType = 'SpecMeter'): Promise<string> {
      const id = await meterWith(1, 2);
      await store.recordSnapshot({ sourceId: meters.streamId(id), sourceVersion: 2, sourceType, data: { ticks: 999, oldField: true }, metadata });
      return id;
    }

    it('is ignored when its snapshot version differs: the aggregate is rebuilt from its events', async () => {
      const meter = await meters.load(await meterWithSnapshot({ snapshotVersion: 1 }));
      expect(meter).to.include({ ticks: 2, replayed: 2, version: 2 });
    });

    it('is ignored when another aggregate type took it, or it has no snapshot version', async () => {
      expect(await meters.load(await meterWithSnapshot({ snapshotVersion: 2 }, 'SpecOtherMeter'))).to.include({ ticks: 2, replayed: 2 });
      expect(await meters.load(await meterWithSnapshot({}))).to.include({ ticks: 2, replayed: 2 });
    });

    it('is used when it matches (the control)', async () => {
      const meter = await meters.load(await meterWithSnapshot({ snapshotVersion: 2 }));
      expect(meter).to.include({ ticks: 999, replayed: 0, version: 2 });
    });
  });

  it('is written in the caller’s transaction, and rolled back with it', async () => {
    const id = randomUUID();
    const meter = meters.create(id);
    meter.tick(1, 2, 3);
    const before = await tableCounts(store.schema);
    await caught(store.orm.em.fork().transactional(async (em) => {
      await meters.save(meter, { em });
      throw new Error('rollback');
    }));
    expect(await tableCounts(store.schema)).to.deep.equal(before);

    const again = meters.create(id);
    again.tick(1, 2, 3);
    await store.orm.em.fork().transactional((em) => meters.save(again, { em }));
    expect((await store.readSnapshot(meters.streamId(id))).sourceVersion).to.equal(3);
  });

  it('is never taken nor read for an aggregate without snapshotEvery', async () => {
    const accounts = store.aggregateRepository(Account);
    const id = randomUUID();
    await accounts.update(id, (a) => a.open('ada', 1), { createIfMissing: true });
    for (let i = 0; i < 5; i++) await accounts.update(id, (a) => a.deposit(1));
    expect(await caught(store.readSnapshot(accounts.streamId(id)))).to.be.instanceOf(SnapshotNotFoundError);
  });

  it('refuses a save whose snapshot cannot be stored, before writing anything', async () => {
    const hoards = store.aggregateRepository(Hoard);
    const hoard = hoards.create(randomUUID());
    hoard.add(1);
    const before = await tableCounts(store.schema);
    const error = await caught(hoards.save(hoard));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect(await tableCounts(store.schema)).to.deep.equal(before);
    expect(hoard.uncommittedEvents).to.have.length(1);
  });
});
