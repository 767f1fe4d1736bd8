/**
 * `appendToStream` resolves `{ streamVersion, position }`: outside a
 * caller's transaction, position is the `$all` position of the append's last
 * event (whether the append numbered itself or waited for a busy sequencer);
 * inside one it is null. The aggregate repository's save passes it on.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Aggregate, AggregateRoot, Apply, DomainEvent, EventData, EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events as anonymous } from '../support/stores';

/** Events with their ids chosen here, to find them in $all. */
function events(count: number): Required<Pick<EventData, 'eventId'>>[] & EventData[] {
  return anonymous(count).map((e) => ({ ...e, eventId: randomUUID() })) as never;
}

@DomainEvent('PositionTicked')
class Ticked {
  constructor(readonly n: number) {}
}

@Aggregate('PositionCounter')
class Counter extends AggregateRoot {
  count = 0;
  tick(n: number) {
    this.raise(new Ticked(n));
  }
  @Apply(Ticked) ticked(e: Ticked) {
    this.count += e.n;
  }
}

describe('append positions', function () {
  this.timeout(60_000);
  let store: EventStore;
  before(async () => {
    store = await connectStore('append_pos');
  });
  after(() => disposeStore(store));

  /** The `$all` position of each event id. */
  async function positionsInAll(): Promise<Map<string, number>> {
    const all = await store.readAllForward(0, 100_000);
    return new Map(all.map((e) => [e.eventId, e.position]));
  }

  it('is the position of the last event in $all, increasing across appends', async () => {
    const results = [];
    const batches: EventData[][] = [];
    for (let i = 0; i < 5; i++) {
      const batch = events(1 + (i % 3));
      batches.push(batch);
      results.push(await store.appendToStream('pos-serial', i === 0 ? ExpectedVersion.NoStream : ExpectedVersion.Any, batch));
    }
    const inAll = await positionsInAll();
    results.forEach((result, i) => expect(result.position).to.equal(inAll.get(batches[i][batches[i].length - 1].eventId!)));
    const positions = results.map((r) => r.position!);
    expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).to.equal(positions.length);
  });

  it('is right for every one of many concurrent appends (the busy-sequencer path included)', async () => {
    const writers = 40;
    const batches = Array.from({ length: writers }, (_, i) => events(1 + (i % 3)));
    const results = await Promise.all(batches.map((batch, i) => store.appendToStream(`pos-concurrent-${i % 7}`, ExpectedVersion.Any, batch)));
    const inAll = await positionsInAll();
    results.forEach((result, i) => {
      expect(result.position, `append ${i}`).to.be.a('number');
      expect(result.position).to.equal(inAll.get(batches[i][batches[i].length - 1].eventId!));
    });
    // Per stream, later versions got later positions.
    const byStream = new Map<string, { version: number; position: number }[]>();
    results.forEach((r, i) => {
      const list = byStream.get(`pos-concurrent-${i % 7}`) ?? [];
      list.push({ version: r.streamVersion, position: r.position! });
      byStream.set(`pos-concurrent-${i % 7}`, list);
    });
    for (const list of byStream.values()) {
      const byVersion = [...list].sort((a, b) => a.version - b.version).map((x) => x.position);
      expect(byVersion).to.deep.equal([...byVersion].sort((a, b) => a - b));
    }
  });

  it('is null inside a caller transaction, and the events get positions after the commit', async () => {
    const batch = events(2);
    const result = await store.orm.em.fork().transactional((em) => store.appendToStream('pos-in-tx', ExpectedVersion.NoStream, batch, { em }));
    expect(result).to.deep.equal({ streamVersion: 2, position: null });
    const after = await store.appendToStream('pos-after-tx', ExpectedVersion.NoStream, events(1));
    // G3 for the caller's transaction is asynchronous (its commit's notification); wait until it is numbered.
    let inAll = await positionsInAll();
    for (let i = 0; i < 100 && !inAll.has(batch[1].eventId!); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      inAll = await positionsInAll();
    }
    expect(inAll.get(batch[1].eventId!)).to.be.a('number');
    expect(after.position).to.be.a('number');
  });

  it('is what the aggregate repository save returns', async () => {
    const counters = store.aggregateRepository(Counter);
    const counter = counters.create('pos-counter-1');
    counter.tick(1);
    counter.tick(2);
    const saved = await counters.save(counter);
    const all = await store.readAllForward(0, 100_000);
    const last = all.filter((e) => e.streamId.endsWith('pos-counter-1')).pop()!;
    expect(saved).to.deep.equal({ streamVersion: 2, position: last.position });
    expect(await counters.save(counter)).to.deep.equal({ streamVersion: 2, position: null });
    const inTx = await store.orm.em.fork().transactional(async (em) => {
      counter.tick(3);
      return counters.save(counter, { em });
    });
    expect(inTx).to.deep.equal({ streamVersion: 3, position: null });
  });

  it("is the aggregate's lastPosition after save, update and load, and null inside a caller transaction", async () => {
    const counters = store.aggregateRepository(Counter);
    const counter = counters.create('pos-counter-2');
    expect(counter.lastPosition).to.equal(null);
    counter.tick(1);
    const saved = await counters.save(counter);
    expect(counter.lastPosition).to.equal(saved.position).and.to.be.a('number');
    const updated = await counters.update('pos-counter-2', (c) => c.tick(2));
    const lastInAll = (await store.readAllForward(0, 100_000)).filter((e) => e.streamId.endsWith('pos-counter-2')).pop()!;
    expect(updated.lastPosition).to.equal(lastInAll.position).and.to.be.greaterThan(saved.position!);
    expect((await counters.load('pos-counter-2')).lastPosition).to.equal(lastInAll.position);
    await store.orm.em.fork().transactional(async (em) => {
      updated.tick(3);
      await counters.save(updated, { em });
    });
    expect(updated.lastPosition).to.equal(null);
  });
});
