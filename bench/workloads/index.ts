/**
 * The workloads, in running order. A new workload is a module next to these,
 * added to this list.
 *
 * Still to come, as their features land: subscription fan-out (1/10/20/50
 * subscriptions), subscription commit-to-handler latency, aggregate
 * load/save, projection throughput.
 */
import { allReadWorkload } from './all-read';
import { appendWorkload } from './append';
import { appendLatencyWorkload } from './append-latency';
import { streamReadWorkload } from './stream-read';
import type { Workload } from './workload';

export const WORKLOADS: readonly Workload[] = [allReadWorkload, appendWorkload, streamReadWorkload, appendLatencyWorkload];

export function workloadByKey(key: string): Workload {
  const workload = WORKLOADS.find((w) => w.key === key);
  if (!workload) throw new Error(`unknown workload ${key}; known: ${WORKLOADS.map((w) => w.key).join(', ')}`);
  return workload;
}
