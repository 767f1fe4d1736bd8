/**
 * The README chart: one panel per workload, the median of each contender per
 * level as a bar with its min–max as a rule. Throughput panels come first, on
 * linear scales; latency panels (ms) follow in a row of their own on log
 * scales, since polling and notified deliveries differ by orders of
 * magnitude. Rendered to SVG with Vega-Lite and Vega in Node (no browser,
 * no canvas).
 */
import { contenderInfo } from '../contenders';
import { metricName } from './format';
import type { BenchResults } from './model';

export interface ChartDatum {
  panel: string;
  /** The panel's place: workloads in running order. */
  panelOrder: number;
  /** 'latency' panels (ms) are drawn on log scales, 'rate' panels on linear ones. */
  kind: 'rate' | 'latency';
  x: string;
  order: number;
  contender: string;
  median: number;
  min: number;
  max: number;
}

/** Panels per row. */
const COLUMNS = 4;

/** Vega and Vega-Lite are ES modules with top-level await: load them with a real dynamic import. */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

export function chartData(results: BenchResults): ChartDatum[] {
  const data: ChartDatum[] = [];
  results.workloads.forEach((w, panelOrder) => {
    // Costs reported beside a rate (CPU per append) stay in the tables.
    const charted = w.metrics.filter((m) => m.unit === w.metrics[0].unit);
    for (const metric of charted) {
      const latency = metric.unit === 'ms';
      const by = w.levelName ? ` by ${w.levelName}` : '';
      const unit = latency ? 'ms (log scale), lower is better' : `${metric.unit}${by}, higher is better`;
      // Two header lines, split at '|' by the header's labelExpr.
      const panel = `${w.title}|${unit}`;
      w.levels.forEach((level, i) => {
        for (const cell of level.cells) {
          const s = cell.metrics[metric.key];
          data.push({
            panel,
            panelOrder,
            kind: latency ? 'latency' : 'rate',
            x: charted.length > 1 ? metric.short ?? metricName(metric) : w.levelName ? String(level.level) : 'one reader',
            order: i,
            contender: contenderInfo(cell.contender).label,
            median: s.median,
            min: s.min,
            max: s.max,
          });
        }
      });
    }
  });
  return data;
}

export function chartSpec(results: BenchResults): Record<string, unknown> {
  const contenders = results.contenders.map((c) => c.label);
  const data = chartData(results);
  const x = { field: 'x', type: 'nominal', title: null, sort: { field: 'order', op: 'min' } };
  const xOffset = { field: 'contender', type: 'nominal', sort: contenders };
  const row = (kind: ChartDatum['kind']) => ({
    transform: [{ filter: { field: 'kind', equal: kind } }],
    facet: { field: 'panel', type: 'nominal', title: null, sort: { field: 'panelOrder', op: 'min' }, header: { labelFontSize: 12, labelLimit: 0, labelExpr: "split(datum.value, '|')" } },
    columns: COLUMNS,
    spec: {
      width: 230,
      height: 220,
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { ...x, axis: { labelAngle: 0, labelLimit: 110 } },
            xOffset,
            y: {
              field: 'median', type: 'quantitative', title: null,
              // Bars are stacked from zero unless told otherwise, and a log scale has no zero.
              ...(kind === 'latency' ? { scale: { type: 'log' }, stack: null, axis: { format: '~g' } } : { axis: { format: '~s' } }),
            },
            color: { field: 'contender', type: 'nominal', sort: contenders, title: null, legend: { orient: 'top' } },
          },
        },
        {
          mark: { type: 'rule', color: '#333' },
          encoding: { x, xOffset, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent', x: 'independent', xOffset: 'independent' } },
  });
  const kinds = (['rate', 'latency'] as const).filter((kind) => data.some((d) => d.kind === kind));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'mikro-orm-eventstore benchmark',
      subtitle: `${results.profile.name} run, ${results.startedAt.slice(0, 10)}: median of ${results.profile.reps} interleaved repetitions, rule = min–max`,
    },
    data: { values: data },
    vconcat: kinds.map(row),
    config: { font: 'sans-serif', view: { stroke: null } },
  };
}

export function renderChart(results: BenchResults): Promise<string> {
  return renderVegaLite(chartSpec(results));
}

/** Any Vega-Lite spec to SVG (the growth bench's chart too). */
export async function renderVegaLite(spec: Record<string, unknown>): Promise<string> {
  const vega = await importEsm('vega');
  const vegaLite = await importEsm('vega-lite');
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg: string = await view.toSVG();
  view.finalize();
  return svg;
}
