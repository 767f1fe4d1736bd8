/**
 * What the growth bench measures at each size of the store: workloads of the
 * main bench (bench/workloads) run in this process on the library's
 * contender, each figure `reps` times, levels interleaved within a
 * repetition. A probe names one metric of one workload at one level.
 */
import type { LibraryContender } from '../contenders/library';
import type { Profile } from '../profile';
import { spread, Spread } from '../report/stats';
import type { Meter } from '../worker/meter';
import { workloadByKey } from '../workloads';
import type { Workload } from '../workloads/workload';
import { allPageWorkload } from './all-page';

export interface Probe {
  key: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  workload: string;
  level: number;
  metric: string;
}

const rate = (key: string, label: string, workload: string, level: number, unit = 'events/s', metric = 'eventsPerSecond'): Probe =>
  ({ key, label, unit, higherIsBetter: true, workload, level, metric });
const latency = (key: string, label: string, metric: string): Probe =>
  ({ key, label, unit: 'ms', higherIsBetter: false, workload: 'subscription-latency', level: 1, metric });

/** In running order: `$all` pages first, while the log's head is still the loaded history's. */
export const PROBES: readonly Probe[] = [
  rate('all-middle', '$all page of 1,000 from the middle', 'all-page', 1, 'events/s', 'middle'),
  rate('all-head', '$all page of 1,000 from the head', 'all-page', 1, 'events/s', 'head'),
  rate('append-1-w1', '1-event append to an existing stream, 1 writer', 'command-existing-1', 1),
  rate('append-1-w50', '1-event append to an existing stream, 50 writers', 'command-existing-1', 50),
  rate('append-100-w1', '100-event append to a new stream, 1 writer', 'append', 1),
  rate('append-100-w50', '100-event append to a new stream, 50 writers', 'append', 50),
  rate('stream-read-r1', 'read a 100-event stream, 1 reader', 'stream-read', 1),
  rate('stream-read-r10', 'read a 100-event stream, 10 readers', 'stream-read', 10),
  latency('subscription-p50', 'subscription delivery p50 (append return → handler)', 'returnP50'),
  latency('subscription-p99', 'subscription delivery p99 (append return → handler)', 'returnP99'),
  rate('aggregate-c1', 'load a 100-event aggregate, 1 caller', 'aggregate-load', 1, 'loads/s', 'opsPerSecond'),
  rate('aggregate-c10', 'load a 100-event aggregate, 10 callers', 'aggregate-load', 10, 'loads/s', 'opsPerSecond'),
];

export interface StageContext {
  contender: LibraryContender;
  profile: Profile;
  meter: Meter;
  /** Finds the last `$all` position. */
  headPosition: () => Promise<number>;
}

function workload(key: string): Workload {
  return key === allPageWorkload.key ? allPageWorkload : workloadByKey(key);
}

export interface ProbeResults {
  /** Each probe's spread over the repetitions. */
  values: Record<string, Spread>;
  /** WAL written per event in each probe's measured windows (median): what a write costs the disk. */
  walBytesPerEvent: Record<string, number>;
}

/** Runs every probe's workload (prepare once, then `reps` interleaved repetitions of its levels). */
export async function runProbes(ctx: StageContext, probes: readonly Probe[], log: (line: string) => void): Promise<ProbeResults> {
  const values: Record<string, number[]> = Object.fromEntries(probes.map((p) => [p.key, []]));
  const wal: Record<string, number[]> = Object.fromEntries(probes.map((p) => [p.key, []]));
  const keys = [...new Set(probes.map((p) => p.workload))];
  for (const key of keys) {
    const w = workload(key);
    const mine = probes.filter((p) => p.workload === key);
    const levels = [...new Set(mine.map((p) => p.level))];
    const wctx = { contender: ctx.contender, profile: ctx.profile, meter: ctx.meter, state: { headPosition: ctx.headPosition } as Record<string, unknown> };
    await w.prepare?.(wctx);
    for (let rep = 0; rep < ctx.profile.reps; rep++) {
      for (const level of levels) {
        const sample = await w.run(wctx, level);
        for (const p of mine.filter((x) => x.level === level)) {
          values[p.key].push(sample.metrics[p.metric]);
          if (sample.usage.walBytes !== null && sample.events > 0) wal[p.key].push(sample.usage.walBytes / sample.events);
        }
      }
    }
    log(`  ${mine.map((p) => `${p.key} ${Math.round(spread(values[p.key]).median * 100) / 100}`).join(', ')}`);
  }
  return {
    values: Object.fromEntries(probes.map((p) => [p.key, spread(values[p.key])])),
    walBytesPerEvent: Object.fromEntries(probes.map((p) => [p.key, spread(wal[p.key]).median])),
  };
}
