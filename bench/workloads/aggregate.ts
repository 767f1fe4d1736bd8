/**
 * Aggregates: load one of 100 events (read the stream, fold every event
 * into the state), and save one event (load, raise, append at the loaded
 * version), from 1 and 10 concurrent callers, each on aggregates of its own.
 *
 * Library: `store.aggregateRepository(Class)` load / save; hand SQL: the
 * stream read folded by hand and `es_append` at the exact version; Emmett:
 * `aggregateStream` and `CommandHandler`. A save makes its aggregate one
 * event longer, so the saves rotate over a pool of aggregates (each caller
 * its own slice of it): an aggregate grows by the number of saves over the
 * pool size during the whole run, a few events.
 */
import { randomUUID } from 'node:crypto';
import { drive, perSecond, warmUp } from './drive';
import { Workload, WorkloadContext } from './workload';

export const aggregateLoadWorkload: Workload = {
  key: 'aggregate-load',
  title: 'load a 100-event aggregate',
  levelName: 'callers',
  metrics: [{ key: 'opsPerSecond', label: 'loads/s', unit: 'loads/s', higherIsBetter: true }],
  levels: (profile) => profile.aggregate.levels,
  async prepare(ctx) {
    const { contender, profile, state } = ctx;
    const ids = await seed(ctx, Math.max(...profile.aggregate.levels));
    state.ids = ids;
    // Warms the process (JIT, pool, prepared statements) before the first measured window.
    await warmUp(profile.warmupMs, ids.length, (loop) => contender.loadAggregate(ids[loop]));
  },
  async run({ contender, profile, meter, state }, callers) {
    const ids = state.ids as string[];
    const { warmupMs, durationMs, maxOps, streamLength } = profile.aggregate;
    const result = await drive(meter, { concurrency: callers, warmupMs, durationMs, maxOps }, async (caller) => {
      const version = await contender.loadAggregate(ids[caller]);
      if (version !== streamLength) throw new Error(`loaded version ${version}, expected ${streamLength}`);
      return version;
    });
    // Costs per event read: `events` counts the events folded.
    return { metrics: { opsPerSecond: perSecond(result.ops, result.usage) }, ...result };
  },
};

export const aggregateSaveWorkload: Workload = {
  key: 'aggregate-save',
  title: 'save one event to a 100-event aggregate (load, raise, save)',
  levelName: 'callers',
  metrics: [{ key: 'opsPerSecond', label: 'saves/s', unit: 'saves/s', higherIsBetter: true }],
  levels: (profile) => profile.aggregate.levels,
  async prepare(ctx) {
    const { contender, profile, state } = ctx;
    const ids = await seed(ctx, profile.aggregate.saveAggregates);
    state.ids = ids;
    state.turn = new Array<number>(Math.max(...profile.aggregate.levels)).fill(0);
    // Warm-up saves go to aggregates of their own, so that the pool starts at 100 events.
    const warm = await seed(ctx, 10);
    await warmUp(profile.warmupMs, warm.length, (loop) => contender.updateAggregate(warm[loop]));
  },
  async run({ contender, profile, meter, state }, callers) {
    const ids = state.ids as string[];
    const turn = state.turn as number[];
    const { warmupMs, durationMs, maxOps, streamLength } = profile.aggregate;
    const result = await drive(meter, { concurrency: callers, warmupMs, durationMs, maxOps }, async (caller) => {
      // Caller c saves the aggregates c, c + callers, c + 2·callers, … in turn: never one another's.
      const slice = Math.floor((ids.length - 1 - caller) / callers) + 1;
      const id = ids[caller + (turn[caller]++ % slice) * callers];
      const version = await contender.updateAggregate(id);
      if (version <= streamLength) throw new Error(`saved version ${version}, expected more than ${streamLength}`);
      return 1;
    });
    // Costs per save: `events` counts the events written.
    return { metrics: { opsPerSecond: perSecond(result.ops, result.usage) }, ...result };
  },
};

/** `count` aggregates of `streamLength` events, written by the contender itself. */
async function seed({ contender, profile }: WorkloadContext, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (next < ids.length) await contender.seedAggregate(ids[next++], profile.aggregate.streamLength);
  }));
  return ids;
}
