/** Single-event appends to an existing stream, one after another, at its exact expected version: p50 / p99. */
import { makeEvents, newStreamId } from '../fixtures';
import { quantile } from '../report/stats';
import type { Contender } from '../contenders/contender';
import { Workload, WorkloadContext } from './workload';

export const appendLatencyWorkload: Workload = {
  key: 'append-latency',
  title: 'single-event append latency',
  levelName: '',
  metrics: [
    { key: 'p50', label: 'p50 ms', unit: 'ms', higherIsBetter: false },
    { key: 'p99', label: 'p99 ms', unit: 'ms', higherIsBetter: false },
  ],
  levels: () => [1],
  prepare: (ctx) => prepareLatencyStream(ctx, 'latency'),
  async run({ contender, profile, meter, state }) {
    return sampleAppendLatency(profile.latency, meter, () => appendNext(contender, state, profile.eventIds));
  },
};

/** Appends one event at the stream's next version (`state.stream`, `state.version`). */
export async function appendNext(contender: Contender, state: Record<string, unknown>, eventIds: WorkloadContext['profile']['eventIds']): Promise<void> {
  await contender.append(state.stream as string, state.version as number, makeEvents(1, eventIds));
  state.version = (state.version as number) + 1;
}

/**
 * Times `append` after a warm-up, one call after another, until `samples`
 * calls or `capMs`; `afterEach` runs outside the timed part.
 */
export async function sampleAppendLatency(
  { warmup, samples, capMs }: WorkloadContext['profile']['latency'],
  meter: WorkloadContext['meter'],
  append: () => Promise<void>,
  afterEach?: () => void,
) {
  for (let i = 0; i < warmup; i++) await append();
  const times: number[] = [];
  const mark = await meter.begin();
  const deadline = Date.now() + capMs;
  while (times.length < samples && Date.now() < deadline) {
    const t = process.hrtime.bigint();
    await append();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    afterEach?.();
  }
  const usage = await meter.end(mark);
  times.sort((a, b) => a - b);
  return { metrics: { p50: quantile(times, 0.5), p99: quantile(times, 0.99) }, events: times.length, ops: times.length, usage };
}

/** A stream with one event, for appends at its next version. */
export async function prepareLatencyStream({ contender, profile, state }: WorkloadContext, label: string): Promise<void> {
  const stream = newStreamId(label);
  await contender.append(stream, 0, makeEvents(1, profile.eventIds));
  state.stream = stream;
  state.version = 1;
}
