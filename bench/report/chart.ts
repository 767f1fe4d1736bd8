/**
 * The README chart: one panel per workload, the median of each contender per
 * level as a bar with its min–max as a rule. Rendered to SVG with Vega-Lite and
 * Vega in Node (no browser, no canvas).
 */
import { contenderInfo } from '../contenders';
import type { BenchResults } from './model';

interface Datum {
  panel: string;
  x: string;
  order: number;
  contender: string;
  median: number;
  min: number;
  max: number;
}

/** Vega and Vega-Lite are ES modules with top-level await: load them with a real dynamic import. */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

export function chartData(results: BenchResults): Datum[] {
  const data: Datum[] = [];
  for (const w of results.workloads) {
    for (const metric of w.metrics) {
      const by = w.levelName ? ` by ${w.levelName}` : '';
      const unit = metric.unit === 'ms' ? 'ms, lower is better' : `${metric.unit}${by}, higher is better`;
      // Two header lines, split at '|' by the header's labelExpr.
      const panel = `${w.title}|${unit}`;
      w.levels.forEach((level, i) => {
        for (const cell of level.cells) {
          const s = cell.metrics[metric.key];
          data.push({
            panel,
            x: w.metrics.length > 1 ? metric.key : w.levelName ? String(level.level) : 'one reader',
            order: i,
            contender: contenderInfo(cell.contender).label,
            median: s.median,
            min: s.min,
            max: s.max,
          });
        }
      });
    }
  }
  return data;
}

export function chartSpec(results: BenchResults): Record<string, unknown> {
  const contenders = results.contenders.map((c) => c.label);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'mikro-orm-eventstore benchmark',
      subtitle: `${results.profile.name} run, ${results.startedAt.slice(0, 10)}: median of ${results.profile.reps} interleaved repetitions, rule = min–max`,
    },
    data: { values: chartData(results) },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: null, header: { labelFontSize: 12, labelLimit: 0, labelExpr: "split(datum.value, '|')" } } },
    spec: {
      width: 230,
      height: 220,
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 'x', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, axis: { labelAngle: 0 } },
            xOffset: { field: 'contender', type: 'nominal', sort: contenders },
            y: { field: 'median', type: 'quantitative', title: null, axis: { format: '~s' } },
            color: { field: 'contender', type: 'nominal', sort: contenders, title: null, legend: { orient: 'top' } },
          },
        },
        {
          mark: { type: 'rule', color: '#333' },
          encoding: {
            x: { field: 'x', type: 'nominal', title: null, sort: { field: 'order', op: 'min' } },
            xOffset: { field: 'contender', type: 'nominal', sort: contenders },
            y: { field: 'min', type: 'quantitative' },
            y2: { field: 'max' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent', x: 'independent', xOffset: 'independent' } },
    config: { font: 'sans-serif', view: { stroke: null } },
  };
}

export async function renderChart(results: BenchResults): Promise<string> {
  const vega = await importEsm('vega');
  const vegaLite = await importEsm('vega-lite');
  const compiled = vegaLite.compile(chartSpec(results)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg: string = await view.toSVG();
  view.finalize();
  return svg;
}
