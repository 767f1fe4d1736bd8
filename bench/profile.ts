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
  streamRead: { warmupMs: number; durationMs: number; streamLength: number };
  allRead: { loadEvents: number; loadWriters: number; pageSize: number; maxEvents: number; capMs: number };
  latency: { warmup: number; samples: number; capMs: number };
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
  streamRead: { warmupMs: 200, durationMs: 800, streamLength: 100 },
  allRead: { loadEvents: 200_000, loadWriters: 10, pageSize: 1000, maxEvents: 200_000, capMs: 3000 },
  latency: { warmup: 100, samples: 300, capMs: 2500 },
};

const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  reps: 3,
  warmupMs: 600,
  append: { warmupMs: 100, durationMs: 400, maxOps: 2000 },
  streamRead: { ...FULL.streamRead, warmupMs: 100, durationMs: 300 },
  allRead: { ...FULL.allRead, capMs: 1200 },
  latency: { warmup: 100, samples: 200, capMs: 1000 },
};

export function profileFor(quick: boolean, overrides: { reps?: number; eventIds?: EventIdKind } = {}): Profile {
  const base = quick ? QUICK : FULL;
  return { ...base, reps: overrides.reps ?? base.reps, eventIds: overrides.eventIds ?? base.eventIds };
}
