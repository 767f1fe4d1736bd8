/** The terminal report: one table per workload, the costs behind it, and the targets. */
import Table from 'cli-table3';
import { contenderInfo } from '../contenders';
import type { BenchResults, WorkloadResult } from './model';
import { formatRange, formatRatio, formatRatioRange, formatValue, levelLabel } from './format';

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
  return `${w.title} (${unit}; median, min–max; ×ratio to ${baselineLabel}, paired per repetition)\n${table.toString()}`;
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
    const value = t.versus ? formatRatioRange(t.value) : `${Math.round(t.value.median).toLocaleString('en-US')} [${Math.round(t.value.min).toLocaleString('en-US')}–${Math.round(t.value.max).toLocaleString('en-US')}]`;
    const miss = t.status === 'MISS' ? `; ${(t.shortBy! * 100).toFixed(0)}% off the target. ${t.explanation}` : '';
    return `${t.status.padEnd(4)}  ${t.description}: ${value}${miss}`;
  });
}
