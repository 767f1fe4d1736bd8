/**
 * A projection that handles 1 type that is 5% of `$all`: the log of the
 * catch-up workloads (50,000 events; 20,000 quick), with only every 20th
 * event a credit and the others of a type the balances do not handle. Each
 * repetition rebuilds the balances projection of the guide's set-based
 * pattern (so that what is measured is reading, not the unit of work),
 * which reads only its type (its `@Handles` types are its `$all` filter,
 * applied in the database), and the same projection with a second, empty
 * handler for the other type, which reads all of `$all`; the order
 * alternates. Both figures
 * are `$all` events caught up per second (positions passed, handled or
 * not), and the speedup is their ratio within the repetition. Costs are
 * those of the filtered rebuild, per `$all` event passed. Only the library
 * runs it: the comparison is within one contender.
 */
import { perSecond } from './drive';
import { checkedRebuild, loadBalancesLog, raceRebuild } from './projection';
import { EVENTS_PER_SECOND, Workload, WorkloadContext } from './workload';

/** One event in EVERY is a credit: 5% of `$all`. */
export const EVERY = 20;

async function timed(ctx: WorkloadContext, projection: 'set-based' | 'everything') {
  const mark = await ctx.meter.begin();
  const outcome = await raceRebuild(ctx, projection);
  const usage = await ctx.meter.end(mark);
  const { events, batches } = await checkedRebuild(ctx, projection, outcome, EVERY);
  return { events, batches, usage, caughtUp: outcome.caughtUp, perSecond: perSecond(events, usage) };
}

export const projectionFilteredWorkload: Workload = {
  key: 'projection-filtered',
  title: 'projection catch-up, 1 handled type that is 5% of $all: reading only it against reading everything',
  levelName: 'projections',
  metrics: [
    { ...EVENTS_PER_SECOND, label: 'filtered events/s' },
    { key: 'everythingPerSecond', label: 'reading everything events/s', short: 'reading everything', unit: 'events/s', higherIsBetter: true },
    { key: 'speedup', label: 'speedup ×', short: 'speedup', unit: '×', higherIsBetter: true },
  ],
  levels: () => [1],
  ownDatabase: true,
  baseline: 'library',
  cap: { before: 'catching up', counts: 'the $all events passed' },
  skip: {
    'hand-sql': 'the comparison is within the library (the same projection with and without its filter)',
    emmett: 'the comparison is within the library (the same projection with and without its filter)',
  },
  prepare: (ctx) => loadBalancesLog(ctx, EVERY),
  async run(ctx) {
    const round = ((ctx.state.round as number | undefined) ?? 0) + 1;
    ctx.state.round = round;
    // Alternated, so that neither always runs on the other's warm caches.
    const first = round % 2 === 1 ? 'set-based' : 'everything';
    const a = await timed(ctx, first);
    const b = await timed(ctx, first === 'set-based' ? 'everything' : 'set-based');
    const [filtered, everything] = first === 'set-based' ? [a, b] : [b, a];
    return {
      metrics: {
        eventsPerSecond: filtered.perSecond,
        everythingPerSecond: everything.perSecond,
        speedup: everything.perSecond > 0 ? filtered.perSecond / everything.perSecond : 0,
        complete: filtered.caughtUp && everything.caughtUp ? 1 : 0,
      },
      events: filtered.events,
      ops: filtered.batches,
      usage: filtered.usage,
    };
  },
};
