/**
 * The workloads, in running order. A new workload is a module next to these,
 * added to this list.
 *
 * TODO projection throughput, once src/projections lands (module
 * `projection.ts`, key 'projection'): events per second into a simple read
 * model. `prepare` loads a log of N events (the `all-read` loader); `run`
 * starts a projection from the origin and times it until its lag is 0.
 * - library: a `@Projection` with one `@Handles(AccountCredited)` that
 *   upserts an account-balance entity (`ctx.em`), started with
 *   `store.projections([...]).start()`, or `runner.rebuild(name)` per
 *   repetition; done when `runner.lag(name)` is 0;
 * - hand SQL: the same read-model table and a loop that reads `$all` in
 *   pages of 1000 and, per page in one transaction, runs the same upserts
 *   (one `insert … on conflict do update` per event, or one per page with
 *   `unnest`, both worth a level) and moves its checkpoint row;
 * - Emmett: `postgreSQLProjector` with a `postgreSQLRawSQLProjection` doing
 *   the same upsert, on a consumer started from the beginning.
 * Metric: events projected per second (events / time to lag 0), with the
 * usual costs; levels: 1 projection (maybe 5, sharing reads).
 */
import { aggregateLoadWorkload, aggregateSaveWorkload } from './aggregate';
import { allReadWorkload } from './all-read';
import { appendWorkload } from './append';
import { appendLatencyWorkload } from './append-latency';
import { streamReadWorkload } from './stream-read';
import { subscriptionFanOutWorkload } from './subscription-fan-out';
import { subscriptionLatencyWorkload } from './subscription-latency';
import type { Workload } from './workload';

export const WORKLOADS: readonly Workload[] = [
  allReadWorkload,
  appendWorkload,
  streamReadWorkload,
  appendLatencyWorkload,
  subscriptionFanOutWorkload,
  subscriptionLatencyWorkload,
  aggregateLoadWorkload,
  aggregateSaveWorkload,
];

export function workloadByKey(key: string): Workload {
  const workload = WORKLOADS.find((w) => w.key === key);
  if (!workload) throw new Error(`unknown workload ${key}; known: ${WORKLOADS.map((w) => w.key).join(', ')}`);
  return workload;
}
