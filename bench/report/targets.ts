/**
 * The performance targets of the suite, judged on one run: ratios are the
 * median of paired per-repetition ratios, absolute figures the median.
 */
import type { ContenderKey } from '../contenders/contender';
import { contenderInfo } from '../contenders';
import type { BenchResults, CellResult, WorkloadResult } from './model';
import { levelLabel, metricName } from './format';
import { pairedRatio, Spread } from './stats';

export interface Target {
  workload: string;
  level: number;
  metric: string;
  /** Compared with another contender (a ratio), or with an absolute figure. */
  versus?: ContenderKey;
  /** `>=` for "at least", `<=` for "at most". */
  op: '>=' | '<=';
  threshold: number;
}

export interface TargetResult extends Target {
  description: string;
  /** The metric's unit (null when the workload did not run). */
  unit: string | null;
  status: 'PASS' | 'MISS' | 'NOT RUN';
  value: Spread | null;
  /** How far off a miss is, relative to the threshold (e.g. 0.12 = 12 % short). */
  shortBy: number | null;
  /** Where the time goes, when missed. */
  explanation: string | null;
}

export const SUBJECT: ContenderKey = 'library';

export function targetsFor(levels: number[]): Target[] {
  const first = levels[0];
  const last = levels[levels.length - 1];
  const targets: Target[] = [];
  for (const level of [...new Set([first, last])]) {
    targets.push({ workload: 'append', level, metric: 'eventsPerSecond', versus: 'hand-sql', op: '>=', threshold: 0.8 });
    targets.push({ workload: 'append', level, metric: 'eventsPerSecond', versus: 'emmett', op: '>=', threshold: 1.4 });
  }
  for (const level of levels) {
    targets.push({ workload: 'stream-read', level, metric: 'eventsPerSecond', versus: 'hand-sql', op: '>=', threshold: 0.8 });
    targets.push({ workload: 'stream-read', level, metric: 'eventsPerSecond', versus: 'emmett', op: '>=', threshold: 1.6 });
  }
  // Command-sized appends against SQL without a sequencer: the price of the gap-free $all.
  for (const level of [1, 10, 50]) {
    targets.push({ workload: 'command-new-1', level, metric: 'eventsPerSecond', versus: 'no-seq', op: '>=', threshold: level === 1 ? 0.8 : 0.7 });
    targets.push({ workload: 'command-new-1', level, metric: 'eventsPerSecond', versus: 'emmett', op: '>=', threshold: 1.3 });
  }
  targets.push({ workload: 'append-latency', level: 1, metric: 'p50', versus: 'no-seq', op: '<=', threshold: 1.3 });
  targets.push({ workload: 'all-read', level: 1, metric: 'eventsPerSecond', op: '>=', threshold: 100_000 });
  targets.push({ workload: 'append-latency', level: 1, metric: 'p50', versus: 'hand-sql', op: '<=', threshold: 1.3 });
  // Delivery, from the append's return to the handler.
  targets.push({ workload: 'subscription-latency', level: 1, metric: 'returnP50', op: '<=', threshold: 2 });
  targets.push({ workload: 'subscription-latency', level: 1, metric: 'returnP99', op: '<=', threshold: 10 });
  // Projections: the guide's handler against the set-based loop; findOne per event at 10x its 441 events/s
  // under MikroORM's default flush mode; a filter of 5% of $all against reading everything.
  targets.push({ workload: 'projection-catch-up', level: 1, metric: 'eventsPerSecond', versus: 'hand-sql', op: '>=', threshold: 0.7 });
  targets.push({ workload: 'projection-find-one', level: 1, metric: 'eventsPerSecond', op: '>=', threshold: 4410 });
  targets.push({ workload: 'projection-filtered', level: 1, metric: 'speedup', op: '>=', threshold: 10 });
  return targets;
}

export function judgeTargets(results: Pick<BenchResults, 'workloads'>, targets: Target[]): TargetResult[] {
  return targets.map((target) => judge(target, results.workloads.find((w) => w.key === target.workload)));
}

function judge(target: Target, workload: WorkloadResult | undefined): TargetResult {
  const description = describeTarget(target, workload);
  const unit = workload?.metrics.find((m) => m.key === target.metric)?.unit ?? null;
  const level = workload?.levels.find((l) => l.level === target.level);
  const subject = level?.cells.find((c) => c.contender === SUBJECT);
  const other = target.versus ? level?.cells.find((c) => c.contender === target.versus) : undefined;
  if (!subject || (target.versus && !other)) {
    return { ...target, description, unit, status: 'NOT RUN', value: null, shortBy: null, explanation: null };
  }
  const value = other
    ? pairedRatio(subject.samples.map((s) => s.metrics[target.metric]), other.samples.map((s) => s.metrics[target.metric]))
    : subject.metrics[target.metric];
  const pass = target.op === '>=' ? value.median >= target.threshold : value.median <= target.threshold;
  const shortBy = pass ? null : Math.abs(value.median - target.threshold) / target.threshold;
  return { ...target, description, unit, status: pass ? 'PASS' : 'MISS', value, shortBy, explanation: pass ? null : explain(subject, other) };
}

function describeTarget(t: Target, workload: WorkloadResult | undefined): string {
  const where = !workload ? `${t.workload} (level ${t.level})` : workload.levelName ? `${workload.title}, ${levelLabel(t.level, workload.levelName)}` : workload.title;
  const metric = workload?.metrics.find((m) => m.key === t.metric);
  const what = metric && metric.key !== 'eventsPerSecond' ? ` ${metricName(metric)},` : '';
  const bound = t.versus
    ? `${t.op === '>=' ? '≥' : '≤'} ${t.threshold}× ${contenderInfo(t.versus).label}`
    : `${t.op === '>=' ? '≥' : '≤'} ${t.threshold.toLocaleString('en-US')} ${metric?.unit ?? ''}`;
  return `${where}:${what} ${contenderInfo(SUBJECT).label} ${bound}`;
}

/** Client and server CPU per event and statements per operation, subject against the other contender. */
export function explain(subject: CellResult, other: CellResult | undefined): string {
  const line = (c: CellResult) => {
    const server = c.costs.serverUsPerEvent ? c.costs.serverUsPerEvent.median.toFixed(1) : '?';
    return `${contenderInfo(c.contender).label}: client ${c.costs.clientUsPerEvent.median.toFixed(1)} + server ${server} µs/event, ` +
      `${c.costs.queriesPerOp.median.toFixed(2)} statements/op`;
  };
  return other ? `${line(subject)}; ${line(other)}` : line(subject);
}
