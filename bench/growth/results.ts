/** The growth run's results (bench/results/growth.json), the ratios to the new store and the targets. */
import type { MachineInfo } from '../report/model';
import type { ServerInfo } from '../server';
import type { Probe } from './probes';
import type { StageResult } from './run';

export interface GrowthResults {
  startedAt: string;
  command: string;
  durationSeconds: number;
  machine: MachineInfo;
  server: ServerInfo;
  profile: { name: string; reps: number; eventIds: string };
  streams: number;
  loaders: number;
  vacuum: boolean;
  probes: readonly Probe[];
  stages: StageResult[];
}

/** Throughput at the largest size at least this share of the new store's; latency at most `LATENCY_TARGET` times. */
export const THROUGHPUT_TARGET = 0.8;
export const LATENCY_TARGET = 1.25;

/** A stage's median over the new store's median. */
export function ratioToEmpty(r: GrowthResults, stage: StageResult, probe: Probe): number {
  return stage.probes[probe.key].median / r.stages[0].probes[probe.key].median;
}

export function meetsTarget(probe: Probe, ratio: number): boolean {
  return probe.higherIsBetter ? ratio >= THROUGHPUT_TARGET : ratio <= LATENCY_TARGET;
}

export function targetText(probe: Probe): string {
  return probe.higherIsBetter ? `≥ ×${THROUGHPUT_TARGET.toFixed(2)}` : `≤ ×${LATENCY_TARGET.toFixed(2)}`;
}

export function bytesPerEvent(stage: StageResult): { table: number; index: number } {
  const table = stage.tables.reduce((sum, t) => sum + t.tableBytes, 0);
  const index = stage.tables.reduce((sum, t) => sum + t.indexBytes, 0);
  return { table: table / stage.events, index: index / stage.events };
}

/** 1,000,000 → '1M', 50,000 → '50k'. */
export function sizeLabel(size: number): string {
  if (size >= 1e6) return `${+(size / 1e6).toFixed(1)}M`;
  if (size >= 1e3) return `${+(size / 1e3).toFixed(1)}k`;
  return String(size);
}
