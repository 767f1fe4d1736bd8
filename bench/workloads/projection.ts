/**
 * Projection catch-up: a log of N events (50,000; 20,000 quick) in `$all`,
 * on a database of its own so that `$all` holds nothing else, loaded with
 * the contender's own append (10 writers, 100-event appends), each event a
 * credit to one of 1,000 accounts. Each repetition rebuilds the balances
 * read model (contenders/balances.ts) from the origin with the contender's
 * own machinery and is timed until the projection has caught up: the figure
 * is events projected per second. A rebuild still running at the time cap
 * (20 s; 5 s quick) is stopped after its batch in flight and counts the
 * events it committed. Costs are per event projected, statements per batch
 * committed (reads included). After every repetition the table must hold
 * exactly the events up to the projection's checkpoint, each counted once,
 * and the lag must be what is left after it (0 when caught up).
 *
 * Three workloads: the library's projection written as the guide recommends
 * for entities (`prepare`), as a MikroORM user writes it first (`findOne`
 * per event), and with the guide's set-based statement per batch; hand SQL
 * runs its set-based loop in each.
 */
import { ACCOUNTS, BalanceTotals, creditEvents, expectedTotals, RebuildOutcome, RunningRebuild, totalsMismatch } from '../contenders/balances';
import type { BalancesProjection } from '../contenders/contender';
import { newStreamId } from '../fixtures';
import { perSecond } from './drive';
import { EVENTS_PER_SECOND, Workload, WorkloadContext } from './workload';

const EMMETT_LEFT_OUT = "0.42.0's rebuild (rebuildPostgreSQLProjections, a postgreSQLRawSQLProjection) is wrong on a log written by " +
  'concurrent writers: on 20,000 events appended by 10 writers it handed its projector 20,102 messages and applied ' +
  '18,666 events, 1,334 never, with lag 0. Its reader orders a batch by transaction id and reads on after the global ' +
  'position of the batch\'s last message (some events come twice, some are passed), and its projector skips messages ' +
  'at or below its checkpoint. On a log written by one writer it was right, at 1,700–1,900 events/s (one upsert and ' +
  'one checkpoint statement per event); this workload loads with 10 writers like the others, so Emmett is left out.';

/** Loads the log (a credit every `every` events) with 10 writers and sets up the balances; returns the setup facts. */
export async function loadBalancesLog({ contender, profile, state }: WorkloadContext, every = 1): Promise<Record<string, number>> {
  const { events, loadWriters } = profile.projection;
  const appends = Math.ceil(events / profile.batchSize);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: loadWriters }, async () => {
    while (next < appends) {
      const first = next++ * profile.batchSize;
      await contender.append(newStreamId('credits'), 0, creditEvents(first, Math.min(profile.batchSize, events - first), profile.eventIds, every));
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await contender.setUpBalances();
  state.expected = expectedTotals(events, every);
  return { loadedEvents: events, loadEventsPerSecond: events / seconds };
}

/** What one rebuild, raced against the time cap, committed, by its own count. */
export interface RaceOutcome extends RebuildOutcome {
  caughtUp: boolean;
}

/** Runs the rebuild of `projection` until it has caught up, or stops it at the cap (after its batch in flight). */
export async function raceRebuild({ contender, profile }: WorkloadContext, projection: BalancesProjection): Promise<RaceOutcome> {
  const rebuild: RunningRebuild = contender.rebuildBalances(projection);
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), profile.projection.capMs)));
  const caughtUp = await Promise.race([rebuild.done, cap]).finally(() => clearTimeout(timer));
  // At the cap the rebuild stops after its batch in flight: the window ends with its last commit.
  return { ...(caughtUp ?? (await rebuild.stop())), caughtUp: caughtUp !== null };
}

/**
 * Checks the table against the log after a rebuild and returns the `$all`
 * positions it passed (its checkpoint: positions are dense from 1) and its
 * batches. A batch that committed while the rebuild was being stopped may be
 * missing from the rebuild's own count.
 */
export async function checkedRebuild({ contender, state }: WorkloadContext, projection: BalancesProjection, outcome: RaceOutcome, every = 1)
  : Promise<{ events: number; batches: number }> {
  const totals = await contender.balanceTotals(projection);
  const mismatch = totalsMismatch(totals, state.expected as BalanceTotals, every);
  if (mismatch) throw new Error(`the balances are wrong after the rebuild: ${mismatch}`);
  const events = totals.checkpoint;
  if (events < outcome.events) throw new Error(`the rebuild reported ${outcome.events} events, its checkpoint is at ${events}`);
  return { events, batches: outcome.batches + (events > outcome.events ? 1 : 0) };
}

function catchUpWorkload(key: string, title: string, projection: BalancesProjection): Workload {
  return {
    key,
    title,
    levelName: 'projections',
    metrics: [EVENTS_PER_SECOND],
    levels: () => [1],
    ownDatabase: true,
    cap: { before: 'catching up', counts: 'the events committed' },
    skip: { emmett: EMMETT_LEFT_OUT },
    prepare: (ctx) => loadBalancesLog(ctx),
    async run(ctx) {
      const mark = await ctx.meter.begin();
      const outcome = await raceRebuild(ctx, projection);
      const usage = await ctx.meter.end(mark);
      const { events, batches } = await checkedRebuild(ctx, projection, outcome);
      return { metrics: { eventsPerSecond: perSecond(events, usage), complete: outcome.caughtUp ? 1 : 0 }, events, ops: batches, usage };
    },
  };
}

const INTO = `into ${ACCOUNTS.toLocaleString('en-US')} account balances`;

/** The guide's recommended handler (`prepare` loads the batch's rows in one query) against hand SQL's set-based loop. */
export const projectionWorkload = catchUpWorkload('projection-catch-up', `projection catch-up ${INTO}, the guide's prepare handler`, 'prepare');

/** The handler a MikroORM user writes first: `em.findOne` of the row per event. */
export const projectionFindOneWorkload = catchUpWorkload('projection-find-one', `projection catch-up ${INTO}, findOne per event`, 'find-one');

/** The guide's set-based pattern: one statement per batch through `ctx.em`, in `prepare`. */
export const projectionSetBasedWorkload = catchUpWorkload('projection-set-based', `projection catch-up ${INTO}, one set-based statement per batch`, 'set-based');
