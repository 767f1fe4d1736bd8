/**
 * A workload is a small module in the list of workloads/index.ts. Its
 * description (key, metrics, levels) is read by the parent process; `prepare`
 * and `run` execute inside a contender's worker process.
 */
import type { Contender, ContenderKey } from '../contenders/contender';
import type { Profile } from '../profile';
import type { Meter, Usage } from '../worker/meter';

export interface MetricSpec {
  key: string;
  label: string;
  /** A short name for the chart's axis, when the label is long (default: the label without its unit). */
  short?: string;
  unit: string;
  higherIsBetter: boolean;
}

/** One repetition of one workload level by one contender. */
export interface Sample {
  metrics: Record<string, number>;
  /** Events written or read in the measured section. */
  events: number;
  /** Operations (appends, reads, pages) in the measured section. */
  ops: number;
  usage: Usage;
}

export interface WorkloadContext {
  contender: Contender;
  profile: Profile;
  meter: Meter;
  /** What `prepare` left for `run` (stream ids and the like). */
  state: Record<string, unknown>;
}

export interface Workload {
  key: string;
  title: string;
  /** What a level counts ("writers", "readers"); empty for a workload without levels. */
  levelName: string;
  /** The first metric is the headline one (tables, ratios, chart). */
  metrics: MetricSpec[];
  levels(profile: Profile): number[];
  /**
   * Runs on an empty database of its own (one per contender, created by the
   * parent), with a contender opened on it: its `$all` holds only what its
   * `prepare` writes, not the events the workloads before it left.
   */
  ownDatabase?: boolean;
  /** How the notes word repetitions cut short by a time cap (samples with `complete: 0`); see CapWording. */
  cap?: CapWording;
  /** The denominator of this workload's ratios (default: the suite's baseline). */
  baseline?: ContenderKey;
  /** Contenders left out of this workload, each with the reason (reported with the results). */
  skip?: Partial<Record<ContenderKey, string>>;
  /** Runs once per contender before the workload's repetitions; what it returns is reported as setup facts. */
  prepare?(ctx: WorkloadContext): Promise<Record<string, number> | void>;
  run(ctx: WorkloadContext, level: number): Promise<Sample>;
}

/** "Repetitions that reached the time cap before <before>: …; their rate counts <counts> by then." */
export interface CapWording {
  before: string;
  counts: string;
}

export const DELIVERY_CAP: CapWording = { before: 'every delivery', counts: 'what was delivered' };

export const EVENTS_PER_SECOND: MetricSpec = { key: 'eventsPerSecond', label: 'events/s', unit: 'events/s', higherIsBetter: true };
