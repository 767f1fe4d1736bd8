/** Single-event appends to an existing stream, one after another, at its exact expected version: p50 / p99. */
import { makeEvents, newStreamId } from '../fixtures';
import { quantile } from '../report/stats';
import { Workload } from './workload';

export const appendLatencyWorkload: Workload = {
  key: 'append-latency',
  title: 'single-event append latency',
  levelName: '',
  metrics: [
    { key: 'p50', label: 'p50 ms', unit: 'ms', higherIsBetter: false },
    { key: 'p99', label: 'p99 ms', unit: 'ms', higherIsBetter: false },
  ],
  levels: () => [1],
  async prepare({ contender, profile, state }) {
    const stream = newStreamId('latency');
    await contender.append(stream, 0, makeEvents(1, profile.eventIds));
    state.stream = stream;
    state.version = 1;
  },
  async run({ contender, profile, meter, state }) {
    const stream = state.stream as string;
    const { warmup, samples, capMs } = profile.latency;
    const append = async () => {
      await contender.append(stream, state.version as number, makeEvents(1, profile.eventIds));
      state.version = (state.version as number) + 1;
    };
    for (let i = 0; i < warmup; i++) await append();
    const times: number[] = [];
    const mark = await meter.begin();
    const deadline = Date.now() + capMs;
    while (times.length < samples && Date.now() < deadline) {
      const t = process.hrtime.bigint();
      await append();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const usage = await meter.end(mark);
    times.sort((a, b) => a - b);
    return { metrics: { p50: quantile(times, 0.5), p99: quantile(times, 0.99) }, events: times.length, ops: times.length, usage };
  },
};
