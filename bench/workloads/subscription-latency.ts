/**
 * From commit to handler, one persistent `$all` subscription: single-event
 * appends to one stream, one after another with a short pause between (the
 * next append does not wait for the delivery). For each event: the time
 * from just before `append` is called, and from when it returned, to when
 * the handler received it; p50 and p99 of both. The subscription is made
 * at the start of each repetition and ended after it (not measured).
 */
import { makeEvents, newStreamId } from '../fixtures';
import { quantile } from '../report/stats';
import { sleep } from './drive';
import { MetricSpec, Workload } from './workload';

const ms = (key: string, label: string, short: string): MetricSpec => ({ key, label, short, unit: 'ms', higherIsBetter: false });

interface Timing {
  started: bigint;
  returned: bigint;
  received?: bigint;
}

export const subscriptionLatencyWorkload: Workload = {
  key: 'subscription-latency',
  title: 'subscription delivery latency, one subscriber',
  levelName: '',
  metrics: [
    ms('returnP50', 'append return → handler p50 ms', 'return p50'),
    ms('returnP99', 'append return → handler p99 ms', 'return p99'),
    ms('startP50', 'append start → handler p50 ms', 'start p50'),
    ms('startP99', 'append start → handler p99 ms', 'start p99'),
  ],
  levels: () => [1],
  async run({ contender, profile, meter, state }) {
    const { warmup, samples, pauseMs, drainMs } = profile.subscriptionLatency;
    const round = (state.round = ((state.round as number | undefined) ?? 0) + 1);
    const timings = new Map<string, Timing>();
    let twice = 0;
    let failure: Error | undefined;
    const subscription = await contender.subscribeToAll([{
      name: `latency-${round}`,
      // The library's default: a checkpoint write with every acknowledged batch.
      checkpointEvery: 1,
      onEvents(events) {
        const now = process.hrtime.bigint();
        for (const event of events) {
          const timing = timings.get(contender.identify(event).eventId);
          if (!timing) continue;
          if (timing.received === undefined) timing.received = now;
          else twice++;
        }
      },
      onError(error) {
        failure ??= error;
      },
    }]);
    try {
      const stream = newStreamId('sub-latency');
      let version = 0;
      const appendOne = async (): Promise<Timing> => {
        const [event] = makeEvents(1, profile.eventIds);
        const timing: Timing = { started: 0n, returned: 0n };
        timings.set(event.eventId, timing);
        timing.started = process.hrtime.bigint();
        await contender.append(stream, version, [event]);
        timing.returned = process.hrtime.bigint();
        version++;
        return timing;
      };

      const warm: Timing[] = [];
      for (let i = 0; i < warmup; i++) {
        warm.push(await appendOne());
        await sleep(pauseMs);
      }
      await delivered(warm, drainMs);

      const measured: Timing[] = [];
      const mark = await meter.begin();
      for (let i = 0; i < samples; i++) {
        measured.push(await appendOne());
        await sleep(pauseMs);
      }
      await delivered(measured, drainMs);
      const usage = await meter.end(mark);
      if (failure) throw failure;
      if (twice > 0) throw new Error(`${twice} events were delivered twice`);

      const sorted = (f: (t: Timing) => bigint) => measured.map((t) => Number(t.received! - f(t)) / 1e6).sort((a, b) => a - b);
      const fromReturn = sorted((t) => t.returned);
      const fromStart = sorted((t) => t.started);
      return {
        metrics: {
          returnP50: quantile(fromReturn, 0.5),
          returnP99: quantile(fromReturn, 0.99),
          startP50: quantile(fromStart, 0.5),
          startP99: quantile(fromStart, 0.99),
        },
        events: samples,
        ops: samples,
        usage,
      };
    } finally {
      await subscription.stop();
    }
  },
};

/** Waits until every one of `timings` was received; fails `drainMs` after it began waiting. */
async function delivered(timings: Timing[], drainMs: number): Promise<void> {
  const deadline = Date.now() + drainMs;
  for (;;) {
    const missing = timings.filter((t) => t.received === undefined).length;
    if (missing === 0) return;
    if (Date.now() > deadline) throw new Error(`${missing} of ${timings.length} events not delivered ${drainMs} ms after the last append`);
    await sleep(1);
  }
}
