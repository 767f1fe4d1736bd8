import { expect } from 'chai';
import { DomainEvent, EventStore, ExpectedVersion, Handles, Projection, ProjectionContext } from '../../src';
import type { EventData, RecordedEvent, Subscription } from '../../src';
import { connectStore, disposeStore } from '../support/stores';

@DomainEvent('RetSpecKept')
class Kept {
  n!: number;
}

/** Records what it handles (its own memory: enough to see order and completeness). */
@Projection('ret-spec-kept')
class KeptLog {
  readonly seen: RecordedEvent[] = [];

  @Handles(Kept)
  kept(_event: Kept, { event }: ProjectionContext): void {
    this.seen.push(event);
  }
}

const KEEP_STREAMS = 4;
const TRIM_STREAMS = 4;
const MAX_COUNT = 3;
const APPENDS_PER_STREAM = 25;

describe('retention under concurrent appends, subscriptions and a projection', function () {
  this.timeout(120_000);
  let store: EventStore;

  before(async () => {
    store = await connectStore('retention_live');
  });
  after(() => disposeStore(store));

  it('delivers everything that stays, in order, never waits on removed positions, and removes only what the limits say', async () => {
    const keep = Array.from({ length: KEEP_STREAMS }, (_, i) => `keep-${i}`);
    const trim = Array.from({ length: TRIM_STREAMS }, (_, i) => `trim-${i}`);
    for (const id of trim) {
      await store.appendToStream(id, ExpectedVersion.NoStream, batch('RetSpecTrimmed', 0, 1));
      await store.setStreamRetention(id, { maxCount: MAX_COUNT });
    }

    const delivered: RecordedEvent[] = [];
    const filtered: RecordedEvent[] = [];
    const transient: RecordedEvent[] = [];
    const subs: Subscription[] = [
      await store.subscribeToAllStreams('ret-spec-all', async (events, sub) => {
        delivered.push(...events);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await sub.ack(events);
      }, { bufferSize: 20 }),
      await store.subscribeToAllStreams('ret-spec-filtered', async (events, sub) => {
        filtered.push(...events);
        await sub.ack(events);
      }, { filter: { eventTypes: ['RetSpecKept'] } }),
      await store.subscribe('$all', (events) => { transient.push(...events); }),
    ];
    const log = new KeptLog();
    const runner = store.projections([log]);
    await runner.start();
    const job = await store.startRetentionJob({ intervalMs: 5, batchSize: 2 });

    try {
      // Writers to every stream at once; trimmed streams are also cut by hand now and then.
      await Promise.all([...keep, ...trim].map(async (id) => {
        const type = keep.includes(id) ? 'RetSpecKept' : 'RetSpecTrimmed';
        let version = trim.includes(id) ? 1 : 0;
        for (let i = 0; i < APPENDS_PER_STREAM; i++) {
          const count = 1 + (i % 3);
          await store.appendToStream(id, version, batch(type, version, count));
          version += count;
          if (trim.includes(id) && i % 7 === 0) await store.truncateStream(id, Math.max(1, version - MAX_COUNT - 1));
        }
      }));
      const [last] = await store.readAllBackward(-1, 1);
      await runner.waitFor('ret-spec-kept', last.position, { timeoutMs: 20_000 });
      await until(() => lastOf(delivered) >= last.position && lastOf(transient) >= last.position);
      await until(async () => (await Promise.all(trim.map((id) => store.readStreamForward(id)))).every((events) => events.length === MAX_COUNT));
    } finally {
      await job.stop();
      await runner.stop();
      for (const sub of subs) await sub.unsubscribe();
    }

    const stored = await store.readAllForward(0, 100_000);
    const version = async (id: string) => (await store.streamInfo(id)).streamVersion;
    // Kept streams complete; trimmed ones exactly their last MAX_COUNT versions.
    for (const id of keep) {
      const own = stored.filter((e) => e.streamId === id).map((e) => e.streamVersion);
      expect(own).to.deep.equal(range(1, await version(id)));
    }
    for (const id of trim) {
      const own = stored.filter((e) => e.streamId === id).map((e) => e.streamVersion);
      const v = await version(id);
      expect(own).to.deep.equal(range(v - MAX_COUNT + 1, v));
    }
    expect(ordered(stored)).to.equal(true);

    const ids = (events: RecordedEvent[]) => events.map((e) => e.eventId);
    const keptEvents = stored.filter((e) => e.eventType === 'RetSpecKept');
    for (const [name, got] of [['persistent', delivered], ['transient', transient]] as const) {
      expect(ordered(got), `${name}: positions increase`).to.equal(true);
      // Everything that stays was delivered; the rest delivered was appended by the trimmed streams' writers.
      expect(ids(got), `${name}: everything that stays`).to.include.members(ids(stored));
      expect(got.filter((e) => !stored.some((s) => s.eventId === e.eventId)).every((e) => e.streamId.startsWith('trim-'))).to.equal(true);
    }
    expect(ids(filtered)).to.deep.equal(ids(keptEvents));
    expect(ids(log.seen)).to.deep.equal(ids(keptEvents));
    expect(await runner.lag('ret-spec-kept')).to.equal(0);
  });
});

function batch(type: string, after: number, count: number): EventData[] {
  return Array.from({ length: count }, (_, i) => ({ eventType: type, data: { n: after + i + 1 } }));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function lastOf(events: RecordedEvent[]): number {
  return events.length === 0 ? 0 : events[events.length - 1].position;
}

function ordered(events: RecordedEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.position > events[i - 1].position);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
