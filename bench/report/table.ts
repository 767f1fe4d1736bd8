/** The terminal report: one table per workload, the costs behind it, and the targets. */
import Table from 'cli-table3';
import { contenderInfo } from '../contenders';
import type { ContenderKey } from '../contenders/contender';
import type { BenchResults, WorkloadResult } from './model';
import { formatRange, formatRatio, formatRatioRange, formatValue, levelLabel } from './format';
import { DELIVERY_CAP } from '../workloads/workload';

export function workloadTable(w: WorkloadResult, baselineLabel: string): string {
  const contenders = w.levels[0]?.cells.map((c) => c.contender) ?? [];
  const table = new Table({
    head: [w.levelName || '', ...contenders.map((k) => contenderInfo(k).label)],
    style: { head: [], border: [] },
  });
  for (const level of w.levels) {
    for (const metric of w.metrics) {
      const label = [levelLabel(level.level, w.levelName), w.metrics.length > 1 || metric.unit !== 'events/s' ? metric.label : '']
        .filter(Boolean).join(' ');
      table.push([
        label,
        ...level.cells.map((cell) => {
          const s = cell.metrics[metric.key];
          const ratio = cell.ratios ? ` ${formatRatio(cell.ratios[metric.key])}` : '';
          return `${formatValue(s.median, metric)}${ratio}\n${formatRange(s, metric)}`;
        }),
      ]);
    }
  }
  const unit = w.metrics[0].unit;
  const denominator = w.baseline ? contenderInfo(w.baseline).label : baselineLabel;
  return `${w.title} (${unit}; median, min–max; ×ratio to ${denominator}, paired per repetition)\n${table.toString()}`;
}

/** What a workload's table does not show: contenders left out (and why), repetitions that ran into the time cap. */
export function workloadNotes(w: WorkloadResult): string[] {
  const notes = Object.entries(w.skipped ?? {}).map(([key, reason]) => `${contenderInfo(key as ContenderKey).label} not run: ${reason}`);
  const capped = cappedNote(w);
  return capped ? [...notes, capped] : notes;
}

/**
 * The cells whose repetitions ended at the time cap before the work was done
 * (samples with `complete: 0`, e.g. a subscription fan-out not delivered in
 * time, a projection not caught up), as "Emmett at 10 subscriptions (5 of
 * 5)", worded by the workload's `cap`; null when there are none.
 */
export function cappedNote(w: WorkloadResult): string | null {
  const capped: string[] = [];
  for (const level of w.levels) {
    for (const cell of level.cells) {
      const n = cell.samples.filter((s) => s.metrics.complete === 0).length;
      if (n === 0) continue;
      const where = w.levelName ? ` at ${levelLabel(level.level, w.levelName)}` : '';
      capped.push(`${contenderInfo(cell.contender).label}${where} (${n} of ${cell.samples.length})`);
    }
  }
  const wording = w.cap ?? DELIVERY_CAP;
  return capped.length > 0
    ? `Repetitions that reached the time cap before ${wording.before}: ${capped.join(', ')}; their rate counts ${wording.counts} by then.`
    : null;
}

export function costsTable(w: WorkloadResult): string {
  const table = new Table({
    head: ['', 'client µs/event', 'server µs/event', 'statements/op', 'WAL B/event'],
    style: { head: [], border: [] },
  });
  for (const level of w.levels) {
    for (const cell of level.cells) {
      const c = cell.costs;
      table.push([
        [levelLabel(level.level, w.levelName), contenderInfo(cell.contender).label].filter(Boolean).join(', '),
        c.clientUsPerEvent.median.toFixed(1),
        c.serverUsPerEvent ? c.serverUsPerEvent.median.toFixed(1) : '–',
        c.queriesPerOp.median.toFixed(2),
        c.walBytesPerEvent ? Math.round(c.walBytesPerEvent.median).toLocaleString('en-US') : '–',
      ]);
    }
  }
  return `where the time goes: ${w.title} (medians)\n${table.toString()}`;
}

export function targetLines(results: Pick<BenchResults, 'targets'>): string[] {
  return results.targets.map((t) => {
    if (t.status === 'NOT RUN' || !t.value) return `NOT RUN  ${t.description}`;
    const metric = { unit: t.unit ?? '' };
    const value = t.versus ? formatRatioRange(t.value) : `${formatValue(t.value.median, metric)} ${t.unit} [${formatRange(t.value, metric)}]`;
    const miss = t.status === 'MISS' ? `; ${(t.shortBy! * 100).toFixed(0)}% off the target. ${t.explanation}` : '';
    return `${t.status.padEnd(4)}  ${t.description}: ${value}${miss}`;
  });
}
