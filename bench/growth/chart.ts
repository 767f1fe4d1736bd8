/**
 * The growth chart (bench/results/growth.svg): each figure's ratio to the
 * new store at every size, throughputs and latencies in panels of their
 * own with the target as a dashed rule, and the bytes per event beside them.
 */
import { renderVegaLite } from '../report/chart';
import { bytesPerEvent, GrowthResults, LATENCY_TARGET, ratioToEmpty, sizeLabel, THROUGHPUT_TARGET } from './results';

interface Bar {
  figure: string;
  order: number;
  size: string;
  value: number;
}

function panel(title: string, bars: Bar[], sizes: string[], target?: number): Record<string, unknown> {
  const x = { field: 'figure', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, axis: { labelAngle: -35, labelLimit: 260 } };
  const layer: Record<string, unknown>[] = [{
    data: { values: bars },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x, xOffset: { field: 'size', type: 'nominal', sort: sizes },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'size', type: 'nominal', sort: sizes, title: 'store size', legend: { orient: 'top' } },
    },
  }];
  if (target !== undefined) {
    layer.push({ data: { values: [{ target }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#c00' }, encoding: { y: { field: 'target', type: 'quantitative' } } });
  }
  return { title, width: 520, height: 220, layer };
}

export function growthChartSpec(r: GrowthResults): Record<string, unknown> {
  const sizes = r.stages.map((s) => sizeLabel(s.size));
  const ratios = (higherIsBetter: boolean): Bar[] => r.probes.flatMap((probe, order) => probe.higherIsBetter !== higherIsBetter ? [] :
    r.stages.map((stage) => ({ figure: probe.label, order, size: sizeLabel(stage.size), value: ratioToEmpty(r, stage, probe) })));
  const bytes: Bar[] = r.stages.flatMap((stage) => {
    const b = bytesPerEvent(stage);
    return [{ figure: 'table', order: 0, size: sizeLabel(stage.size), value: b.table }, { figure: 'indexes', order: 1, size: sizeLabel(stage.size), value: b.index }];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'mikro-orm-eventstore as the store grows', subtitle: `${r.startedAt.slice(0, 10)}: median of ${r.profile.reps} repetitions; ratio to the new store, dashed = target` },
    vconcat: [
      { hconcat: [panel(`throughput ÷ new store (target ≥ ${THROUGHPUT_TARGET})`, ratios(true), sizes, THROUGHPUT_TARGET)] },
      { hconcat: [
        panel(`subscription latency ÷ new store (target ≤ ${LATENCY_TARGET})`, ratios(false), sizes, LATENCY_TARGET),
        panel('bytes per event', bytes, sizes),
      ] },
    ],
    resolve: { scale: { color: 'shared' } },
    config: { font: 'sans-serif', view: { stroke: null } },
  };
}

export function renderGrowthChart(r: GrowthResults): Promise<string> {
  return renderVegaLite(growthChartSpec(r));
}
