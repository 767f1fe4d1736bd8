/** Number formats shared by the terminal table, the Markdown and the chart. */
import type { MetricSpec } from '../workloads/workload';
import type { Spread } from './stats';

export function formatValue(value: number, metric: Pick<MetricSpec, 'unit'>): string {
  if (!Number.isFinite(value)) return '–';
  if (metric.unit === 'ms') return value.toFixed(2);
  if (metric.unit === '×') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export function formatRange(s: Spread, metric: Pick<MetricSpec, 'unit'>): string {
  return `${formatValue(s.min, metric)}–${formatValue(s.max, metric)}`;
}

export function formatRatio(r: Spread | undefined): string {
  return r && Number.isFinite(r.median) ? `×${r.median.toFixed(2)}` : '–';
}

export function formatRatioRange(r: Spread): string {
  return `×${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`;
}

export function levelLabel(level: number, levelName: string): string {
  if (!levelName) return '';
  return `${level} ${level === 1 ? levelName.replace(/s$/, '') : levelName}`;
}

/** A metric's label without its unit ('p50 ms' -> 'p50'), for axes and sentences that give the unit elsewhere. */
export function metricName(metric: Pick<MetricSpec, 'label' | 'unit'>): string {
  const suffix = ` ${metric.unit}`;
  return metric.label.endsWith(suffix) ? metric.label.slice(0, -suffix.length) : metric.label;
}
