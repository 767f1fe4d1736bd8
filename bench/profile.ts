/** How long and how often each workload runs: the two profiles, with every default in one place. */
import type { EventIdKind } from './fixtures';

export interface Profile {
  name: 'quick' | 'full';
  /** Interleaved repetitions per workload level. */
  reps: number;
  /** Concurrency levels of the reference suite (writers, readers, subscriptions). */
  levels: number[];
  /** Same pool size for every contender: node-postgres', Emmett's and commanded's bench default. */
  poolSize: number;
  eventIds: EventIdKind;
  /** Events per append in the throughput workloads. */
  batchSize: number;
  /**
   * How long a throughput workload runs unmeasured before its first level, from
   * 10 concurrent loops: the library's deeper stack (MikroORM, knex, tarn) takes
   * V8 a few thousand calls to optimise, and a server process is measured warm.
   */
  warmupMs: number;
  append: { warmupMs: number; durationMs: number; maxOps: number };
  /**
   * Command-sized appends (1 or 3 events) at `levels` writers; the appends to
   * existing streams pick among `existingStreams` streams written beforehand.
   */
  command: { levels: number[]; existingStreams: number; warmupMs: number; durationMs: number; maxOps: number };
  streamRead: { warmupMs: number; durationMs: number; streamLength: number };
  allRead: { loadEvents: number; loadWriters: number; pageSize: number; maxEvents: number; capMs: number };
  latency: { warmup: number; samples: number; capMs: number };
  /**
   * `$all` subscriptions. Fan-out: `events` appended in `batchSize`-event
   * appends from `writers` concurrent writers while the subscriptions are
   * live; a repetition ends when every subscription has them all, or at
   * `capMs`. Checkpoints every `checkpointEvery` events (library's
   * `checkpointThreshold`; hand SQL the same rule). Latency: `samples`
   * single-event appends, one after another with `pauseMs` between, after
   * `warmup` unmeasured ones; deliveries are awaited up to `drainMs`.
   */
  fanOut: { events: number; writers: number; checkpointEvery: number; capMs: number; warmupEvents: number };
  subscriptionLatency: { warmup: number; samples: number; pauseMs: number; drainMs: number };
  /** Aggregates of `streamLength` events; saves rotate over `saveAggregates` of them, so each grows slowly. */
  aggregate: { levels: number[]; streamLength: number; saveAggregates: number; warmupMs: number; durationMs: number; maxOps: number };
  /**
   * Projection catch-up: a log of `events` events loaded by `loadWriters`
   * writers, rebuilt from the origin each repetition; a rebuild still
   * running at `capMs` is stopped after its batch in flight.
   */
  projection: { events: number; loadWriters: number; capMs: number };
}

const FULL: Profile = {
  name: 'full',
  reps: 5,
  levels: [1, 10, 20, 50],
  poolSize: 10,
  eventIds: 'v4',
  batchSize: 100,
  warmupMs: 1500,
  append: { warmupMs: 200, durationMs: 1000, maxOps: 5000 },
  command: { levels: [1, 10, 50], existingStreams: 10_000, warmupMs: 200, durationMs: 1000, maxOps: 20_000 },
  streamRead: { warmupMs: 200, durationMs: 800, streamLength: 100 },
  allRead: { loadEvents: 200_000, loadWriters: 10, pageSize: 1000, maxEvents: 200_000, capMs: 3000 },
  latency: { warmup: 100, samples: 300, capMs: 2500 },
  fanOut: { events: 10_000, writers: 10, checkpointEvery: 1000, capMs: 5000, warmupEvents: 2000 },
  subscriptionLatency: { warmup: 20, samples: 300, pauseMs: 5, drainMs: 3000 },
  aggregate: { levels: [1, 10], streamLength: 100, saveAggregates: 500, warmupMs: 200, durationMs: 1000, maxOps: 1000 },
  projection: { events: 50_000, loadWriters: 10, capMs: 20_000 },
};

const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  reps: 3,
  // Both ends of the reference levels only.
  levels: [1, 50],
  warmupMs: 600,
  append: { warmupMs: 100, durationMs: 400, maxOps: 2000 },
  command: { ...FULL.command, existingStreams: 2000, warmupMs: 100, durationMs: 400, maxOps: 8000 },
  streamRead: { ...FULL.streamRead, warmupMs: 100, durationMs: 300 },
  // A smaller log: loading 200,000 events through every contender takes half a minute on its own.
  allRead: { ...FULL.allRead, loadEvents: 50_000, maxEvents: 50_000, capMs: 1200 },
  latency: { warmup: 100, samples: 200, capMs: 1000 },
  fanOut: { ...FULL.fanOut, events: 5000, capMs: 1500, warmupEvents: 1000 },
  subscriptionLatency: { ...FULL.subscriptionLatency, warmup: 10, samples: 100 },
  aggregate: { ...FULL.aggregate, levels: [10], saveAggregates: 100, warmupMs: 100, durationMs: 300, maxOps: 300 },
  projection: { ...FULL.projection, events: 20_000, capMs: 5000 },
};

export function profileFor(quick: boolean, overrides: { reps?: number; eventIds?: EventIdKind } = {}): Profile {
  const base = quick ? QUICK : FULL;
  return { ...base, reps: overrides.reps ?? base.reps, eventIds: overrides.eventIds ?? base.eventIds };
}
