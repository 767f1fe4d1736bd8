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
 */
import { ACCOUNTS, BalanceTotals, creditEvents, expectedTotals, totalsMismatch } from '../contenders/balances';
import { newStreamId } from '../fixtures';
import { perSecond } from './drive';
import { EVENTS_PER_SECOND, Workload } from './workload';

export const projectionWorkload: Workload = {
  key: 'projection',
  title: `projection catch-up into ${ACCOUNTS.toLocaleString('en-US')} account balances`,
  levelName: 'projections',
  metrics: [EVENTS_PER_SECOND],
  levels: () => [1],
  ownDatabase: true,
  cap: { before: 'catching up', counts: 'the events committed' },
  skip: {
    emmett: "0.42.0's rebuild (rebuildPostgreSQLProjections, a postgreSQLRawSQLProjection) is wrong on a log written by " +
      'concurrent writers: on 20,000 events appended by 10 writers it handed its projector 20,102 messages and applied ' +
      '18,666 events, 1,334 never, with lag 0. Its reader orders a batch by transaction id and reads on after the global ' +
      'position of the batch\'s last message (some events come twice, some are passed), and its projector skips messages ' +
      'at or below its checkpoint. On a log written by one writer it was right, at 1,700–1,900 events/s (one upsert and ' +
      'one checkpoint statement per event); this workload loads with 10 writers like the others, so Emmett is left out.',
  },
  async prepare({ contender, profile, state }) {
    const { events, loadWriters } = profile.projection;
    const appends = Math.ceil(events / profile.batchSize);
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: loadWriters }, async () => {
      while (next < appends) {
        const first = next++ * profile.batchSize;
        await contender.append(newStreamId('credits'), 0, creditEvents(first, Math.min(profile.batchSize, events - first), profile.eventIds));
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await contender.setUpBalances();
    state.expected = expectedTotals(events);
    return { loadedEvents: events, loadEventsPerSecond: events / seconds };
  },
  async run({ contender, profile, meter, state }) {
    const expected = state.expected as BalanceTotals;
    const mark = await meter.begin();
    const rebuild = contender.rebuildBalances();
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), profile.projection.capMs)));
    const caughtUp = await Promise.race([rebuild.done, cap]).finally(() => clearTimeout(timer));
    // At the cap the rebuild stops after its batch in flight: the window ends with its last commit.
    const outcome = caughtUp ?? (await rebuild.stop());
    const usage = await meter.end(mark);

    const totals = await contender.balanceTotals();
    const mismatch = totalsMismatch(totals, expected);
    if (mismatch) throw new Error(`the balances are wrong after the rebuild: ${mismatch}`);
    // Positions are dense from 1: the checkpoint is the number of events projected. A batch that
    // committed while the rebuild was being stopped may be missing from the rebuild's own count.
    const events = totals.checkpoint;
    if (events < outcome.events) throw new Error(`the rebuild reported ${outcome.events} events, its checkpoint is at ${events}`);
    const batches = outcome.batches + (events > outcome.events ? 1 : 0);
    const complete = caughtUp !== null ? 1 : 0;
    return { metrics: { eventsPerSecond: perSecond(events, usage), complete }, events, ops: batches, usage };
  },
};
