/** The shape of a benchmark run's results (bench/results/latest.json). */
import type { ContenderInfo, ContenderKey } from '../contenders/contender';
import type { Profile } from '../profile';
import type { ServerInfo } from '../server';
import type { CheckResult } from '../worker/protocol';
import type { CapWording, MetricSpec, Sample } from '../workloads/workload';
import { pairedRatio, Spread, spread } from './stats';
import type { TargetResult } from './targets';

export interface Costs {
  clientUsPerEvent: Spread;
  serverUsPerEvent: Spread | null;
  queriesPerOp: Spread;
  walBytesPerEvent: Spread | null;
}

export interface CellResult {
  contender: ContenderKey;
  samples: Sample[];
  metrics: Record<string, Spread>;
  /** Paired ratio to the baseline's same repetition, per metric (null for the baseline itself). */
  ratios: Record<string, Spread> | null;
  costs: Costs;
}

export interface LevelResult {
  level: number;
  cells: CellResult[];
}

export interface WorkloadResult {
  key: string;
  title: string;
  levelName: string;
  metrics: MetricSpec[];
  /** The denominator of this workload's ratios. */
  baseline?: ContenderKey;
  /** What `prepare` reported per contender (e.g. the load rate of the `$all` log). */
  setup: Partial<Record<ContenderKey, Record<string, number>>>;
  /** Contenders of the run left out of this workload, with the reason. */
  skipped?: Partial<Record<ContenderKey, string>>;
  /** The wording of the note on repetitions cut short by the time cap (default: deliveries). */
  cap?: CapWording;
  levels: LevelResult[];
}

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  packages: Record<string, string>;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  command: string;
  profile: Profile;
  machine: MachineInfo;
  server: Omit<ServerInfo, 'postmasterPid'> & { serverCpuMeasured: boolean };
  baseline: ContenderKey;
  contenders: ContenderInfo[];
  checks: Partial<Record<ContenderKey, CheckResult>>;
  workloads: WorkloadResult[];
  targets: TargetResult[];
}

export function summarizeCell(contender: ContenderKey, samples: Sample[], metrics: MetricSpec[], baseline: Sample[] | null): CellResult {
  const values = (key: string, from: Sample[]) => from.map((s) => s.metrics[key]);
  const byMetric: Record<string, Spread> = {};
  const ratios: Record<string, Spread> = {};
  for (const m of metrics) {
    byMetric[m.key] = spread(values(m.key, samples));
    if (baseline) ratios[m.key] = pairedRatio(values(m.key, samples), values(m.key, baseline));
  }
  const per = (f: (s: Sample) => number | null) => {
    const v = samples.map(f);
    return v.some((x) => x === null) ? null : spread(v as number[]);
  };
  const events = (s: Sample) => Math.max(s.events, 1);
  return {
    contender,
    samples,
    metrics: byMetric,
    ratios: baseline ? ratios : null,
    costs: {
      clientUsPerEvent: spread(samples.map((s) => s.usage.clientCpuUs / events(s))),
      serverUsPerEvent: per((s) => (s.usage.serverCpuUs === null ? null : s.usage.serverCpuUs / events(s))),
      queriesPerOp: spread(samples.map((s) => s.usage.queries / Math.max(s.ops, 1))),
      walBytesPerEvent: per((s) => (s.usage.walBytes === null ? null : s.usage.walBytes / events(s))),
    },
  };
}
