/**
 * The workloads, in running order. A new workload is a module next to these,
 * added to this list. A workload that needs `$all` to hold only its own
 * events (projection catch-up) sets `ownDatabase`. `--workloads projection`
 * names every projection workload (a prefix).
 */
import { aggregateLoadWorkload, aggregateSaveWorkload } from './aggregate';
import { allReadWorkload } from './all-read';
import { appendWorkload } from './append';
import { appendLatencyWorkload } from './append-latency';
import { appendTelemetryWorkload } from './append-telemetry';
import { commandWorkloads } from './command';
import { projectionFindOneWorkload, projectionSetBasedWorkload, projectionWorkload } from './projection';
import { projectionFilteredWorkload } from './projection-filtered';
import { streamReadWorkload } from './stream-read';
import { subscriptionFanOutWorkload } from './subscription-fan-out';
import { subscriptionLatencyWorkload } from './subscription-latency';
import type { Workload } from './workload';

export const WORKLOADS: readonly Workload[] = [
  allReadWorkload,
  appendWorkload,
  ...commandWorkloads,
  streamReadWorkload,
  appendLatencyWorkload,
  subscriptionFanOutWorkload,
  subscriptionLatencyWorkload,
  aggregateLoadWorkload,
  aggregateSaveWorkload,
  projectionWorkload,
  projectionFindOneWorkload,
  projectionSetBasedWorkload,
  projectionFilteredWorkload,
  appendTelemetryWorkload,
];

/** The workloads a `--workloads` entry names: its key, or every key it is the prefix of (`command`). */
export function workloadsMatching(entry: string): Workload[] {
  const exact = WORKLOADS.find((w) => w.key === entry);
  return exact ? [exact] : WORKLOADS.filter((w) => w.key.startsWith(`${entry}-`));
}

export function workloadByKey(key: string): Workload {
  const workload = WORKLOADS.find((w) => w.key === key);
  if (!workload) throw new Error(`unknown workload ${key}; known: ${WORKLOADS.map((w) => w.key).join(', ')}`);
  return workload;
}
