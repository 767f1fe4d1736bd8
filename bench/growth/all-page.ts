/**
 * `$all` pages of 1,000 read at two fixed places, again and again by one
 * reader: from the middle of the log (a subscriber catching up) and from
 * the last 1,000 events (a subscriber near the head). The growth runner puts
 * a function that finds where the log ends in the state (`headPosition`).
 */
import { drive, perSecond } from '../workloads/drive';
import type { Workload, WorkloadContext } from '../workloads/workload';

const PAGE = 1000;

async function readAt(ctx: WorkloadContext, after: number): Promise<{ value: number; events: number; ops: number; usage: Awaited<ReturnType<typeof drive>>['usage'] }> {
  const { warmupMs, durationMs } = ctx.profile.streamRead;
  const result = await drive(ctx.meter, { concurrency: 1, warmupMs, durationMs }, async () => {
    const page = await ctx.contender.readAll(after, PAGE);
    if (page.events.length !== PAGE) throw new Error(`read ${page.events.length} events after ${after}, expected ${PAGE}`);
    return page.events.length;
  });
  return { value: perSecond(result.events, result.usage), ...result };
}

export const allPageWorkload: Workload = {
  key: 'all-page',
  title: '$all page of 1,000',
  levelName: '',
  metrics: [
    { key: 'middle', label: 'from the middle events/s', unit: 'events/s', higherIsBetter: true },
    { key: 'head', label: 'from the head events/s', unit: 'events/s', higherIsBetter: true },
  ],
  levels: () => [1],
  async run(ctx) {
    const head = await (ctx.state.headPosition as () => Promise<number>)();
    if (!(head > PAGE)) throw new Error(`$all holds ${head} events; a page needs more than ${PAGE}`);
    const middle = await readAt(ctx, Math.floor(head / 2));
    const last = await readAt(ctx, head - PAGE);
    const usage = { ...last.usage, elapsedMs: middle.usage.elapsedMs + last.usage.elapsedMs };
    return { metrics: { middle: middle.value, head: last.value }, events: middle.events + last.events, ops: middle.ops + last.ops, usage };
  },
};
