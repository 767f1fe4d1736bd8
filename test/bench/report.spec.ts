import { expect } from 'chai';
import { EVENT_DATA_BYTES, EVENT_METADATA_BYTES, makeEvents } from '../../bench/fixtures';
import { profileFor } from '../../bench/profile';
import { chartData, chartSpec, renderChart } from '../../bench/report/chart';
import { metricName } from '../../bench/report/format';
import { BenchResults, summarizeCell } from '../../bench/report/model';
import { pairedRatio, quantile, spread } from '../../bench/report/stats';
import { BASELINE } from '../../bench/contenders';
import { targetLines, workloadNotes } from '../../bench/report/table';
import { judgeTargets, targetsFor } from '../../bench/report/targets';
import { repetitionOrder } from '../../bench/suite';
import { WORKLOADS, workloadByKey, workloadsMatching } from '../../bench/workloads';
import type { Sample } from '../../bench/workloads/workload';

const usage = { elapsedMs: 1000, clientCpuUs: 1000, serverCpuUs: 2000, walBytes: 500, queries: 10 };
const sample = (eventsPerSecond: number): Sample => ({ metrics: { eventsPerSecond }, events: 100, ops: 10, usage });

const subscriptionLatency = workloadByKey('subscription-latency');
/** A subscription-latency workload result with the library's delivery p50 / p99 per repetition. */
function latencyResult(p50s: number[], p99s: number[]) {
  const samples = p50s.map((p50, i): Sample => ({
    metrics: { returnP50: p50, returnP99: p99s[i], startP50: p50 + 1, startP99: p99s[i] + 1 }, events: 300, ops: 300, usage,
  }));
  return {
    key: subscriptionLatency.key, title: subscriptionLatency.title, levelName: '', metrics: subscriptionLatency.metrics, setup: {},
    levels: [{ level: 1, cells: [summarizeCell('library', samples, subscriptionLatency.metrics, null)] }],
  };
}

describe('benchmark report', () => {
  it('interpolates quantiles and gives the median with min and max', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).to.equal(2.5);
    expect(quantile([1, 2, 3, 4], 0.99)).to.be.closeTo(3.97, 1e-9);
    expect(spread([5, 1, 3])).to.deep.equal({ median: 3, min: 1, max: 5 });
    expect(spread([]).median).to.be.NaN;
  });

  it('pairs ratios per repetition instead of dividing medians', () => {
    // Drift hits both contenders alike: every paired ratio is exactly 0.5.
    expect(pairedRatio([10, 20, 40], [20, 40, 80])).to.deep.equal({ median: 0.5, min: 0.5, max: 0.5 });
    expect(pairedRatio([10], [0]).median, 'a zero baseline gives no ratio').to.be.NaN;
  });

  it('rotates the contender order every repetition and reverses it on odd ones', () => {
    const orders = [0, 1, 2, 3].map((rep) => repetitionOrder(['A', 'B', 'C'], rep).join(''));
    expect(orders).to.deep.equal(['ABC', 'ACB', 'CAB', 'CBA']);
  });

  it('puts costs per event and statements per operation into every cell', () => {
    const cell = summarizeCell('library', [sample(100), sample(300)], WORKLOADS[0].metrics, [sample(200), sample(200)]);
    expect(cell.metrics.eventsPerSecond).to.deep.equal({ median: 200, min: 100, max: 300 });
    expect(cell.ratios!.eventsPerSecond).to.deep.equal({ median: 1, min: 0.5, max: 1.5 });
    expect(cell.costs.clientUsPerEvent.median).to.equal(10);
    expect(cell.costs.serverUsPerEvent!.median).to.equal(20);
    expect(cell.costs.queriesPerOp.median).to.equal(1);
    expect(cell.costs.walBytesPerEvent!.median).to.equal(5);
  });

  it('judges a ratio target on paired repetitions and says how far off a miss is', () => {
    const level = (lib: number[], hand: number[], emmett: number[]) => ({
      level: 1,
      cells: [
        summarizeCell('hand-sql', hand.map(sample), WORKLOADS[0].metrics, null),
        summarizeCell('library', lib.map(sample), WORKLOADS[0].metrics, hand.map(sample)),
        summarizeCell('emmett', emmett.map(sample), WORKLOADS[0].metrics, hand.map(sample)),
      ],
    });
    const workloads = [{
      key: 'append', title: 'append', levelName: 'writers', metrics: WORKLOADS[0].metrics, setup: {},
      levels: [level([70, 70, 70], [100, 100, 100], [60, 60, 60])],
    }];
    const [vsHand, vsEmmett] = judgeTargets({ workloads }, targetsFor([1]));
    expect(vsHand.status).to.equal('MISS');
    expect(vsHand.value!.median).to.be.closeTo(0.7, 1e-9);
    expect(vsHand.shortBy).to.be.closeTo(0.125, 1e-9);
    expect(vsHand.explanation).to.match(/library: client .* µs\/event/);
    expect(vsEmmett.status).to.equal('MISS');
    const notRun = judgeTargets({ workloads }, targetsFor([1])).filter((t) => t.workload !== 'append');
    expect(notRun.every((t) => t.status === 'NOT RUN')).to.equal(true);
  });

  it('writes the same event everywhere: 214 bytes of data, 81 of metadata, a fresh id each', () => {
    expect(EVENT_DATA_BYTES).to.equal(214);
    expect(EVENT_METADATA_BYTES).to.equal(81);
    const [a, b] = makeEvents(2, 'v4');
    expect(a.eventId).to.not.equal(b.eventId);
    expect(makeEvents(1, 'v7')[0].eventId[14]).to.equal('7');
  });

  it('keeps the quick profile shorter than the full one', () => {
    const quick = profileFor(true);
    const full = profileFor(false);
    expect(quick.reps).to.be.below(full.reps);
    expect(quick.append.durationMs).to.be.below(full.append.durationMs);
    expect(full.allRead.loadEvents).to.be.at.least(200_000);
    expect(profileFor(true, { reps: 7 }).reps).to.equal(7);
  });

  it('judges the subscription delivery latency on absolute milliseconds and prints them as such', () => {
    const latencyTargets = (result: ReturnType<typeof latencyResult>) =>
      judgeTargets({ workloads: [result] }, targetsFor([1])).filter((t) => t.workload === 'subscription-latency');

    const [p50, p99] = latencyTargets(latencyResult([1.2, 1.4, 1.3], [6, 7, 12]));
    expect([p50.metric, p50.threshold, p50.status]).to.deep.equal(['returnP50', 2, 'PASS']);
    expect([p99.metric, p99.threshold, p99.status]).to.deep.equal(['returnP99', 10, 'PASS']);
    expect(targetLines({ targets: [p50] })[0]).to.equal(
      'PASS  subscription delivery latency, one subscriber: append return → handler p50, library ≤ 2 ms: 1.30 ms [1.20–1.40]');

    const [slow] = latencyTargets(latencyResult([2.5, 3, 2.4], [9, 9, 9]));
    expect(slow.status).to.equal('MISS');
    expect(slow.shortBy).to.be.closeTo(0.25, 1e-9);
    expect(targetLines({ targets: [slow] })[0]).to.match(/^MISS  .*: 2\.50 ms \[2\.40–3\.00\]; 25% off the target\./);
  });

  it('runs the subscription, aggregate and projection workloads after the store workloads, each key once', () => {
    const keys = WORKLOADS.map((w) => w.key);
    expect(keys).to.deep.equal([
      'all-read', 'append', 'command-new-1', 'command-new-3', 'command-existing-1', 'command-existing-3', 'stream-read', 'append-latency',
      'subscription-fan-out', 'subscription-latency', 'aggregate-load', 'aggregate-save', 'projection-catch-up', 'projection-find-one', 'projection-set-based', 'projection-filtered', 'append-telemetry',
    ]);
    expect(workloadsMatching('projection').map((w) => w.key)).to.deep.equal(['projection-catch-up', 'projection-find-one', 'projection-set-based', 'projection-filtered']);
    expect(workloadsMatching('command').map((w) => w.key)).to.deep.equal(['command-new-1', 'command-new-3', 'command-existing-1', 'command-existing-3']);
    expect(workloadsMatching('append').map((w) => w.key)).to.deep.equal(['append']);
    expect(workloadsMatching('nothing')).to.deep.equal([]);
    expect(() => workloadByKey('projections')).to.throw(/unknown workload projections/);
  });

  it('draws latency panels on a log scale in a row after the throughput panels, in running order', () => {
    const level = (metrics: typeof subscriptionLatency.metrics, values: Record<string, number>) =>
      ({ level: 1, cells: [summarizeCell('library', [{ metrics: values, events: 1, ops: 1, usage }], metrics, null)] });
    const append = workloadByKey('append');
    const results = {
      profile: profileFor(true), startedAt: '2026-11-29T00:00:00.000Z', contenders: [{ key: 'library', label: 'library', description: '' }],
      workloads: [
        latencyResult([1], [5]),
        { key: 'append', title: append.title, levelName: 'writers', metrics: append.metrics, setup: {}, levels: [level(append.metrics, { eventsPerSecond: 9 })] },
      ],
    } as unknown as BenchResults;
    const data = chartData(results);
    expect(data.filter((d) => d.kind === 'latency').map((d) => d.x)).to.deep.equal(['return p50', 'return p99', 'start p50', 'start p99']);
    expect(data.find((d) => d.kind === 'rate')).to.include({ x: '1', panelOrder: 1, median: 9 });
    const rows = chartSpec(results).vconcat as { transform: { filter: { equal: string } }[]; spec: { layer: { encoding: { y: { scale?: { type: string } } } }[] } }[];
    expect(rows.map((r) => r.transform[0].filter.equal)).to.deep.equal(['rate', 'latency']);
    expect(rows.map((r) => r.spec.layer[0].encoding.y.scale?.type ?? 'linear')).to.deep.equal(['linear', 'log']);
  });

  it('renders the chart to SVG with the installed vega and vega-lite', async function () {
    this.timeout(30_000);
    const append = workloadByKey('append');
    const results = {
      profile: profileFor(true), startedAt: '2026-11-29T00:00:00.000Z', contenders: [{ key: 'library', label: 'library', description: '' }],
      workloads: [
        latencyResult([1, 2], [5, 6]),
        { key: 'append', title: append.title, levelName: 'writers', metrics: append.metrics, setup: {},
          levels: [{ level: 1, cells: [summarizeCell('library', [sample(900), sample(1100)], append.metrics, null)] }] },
      ],
    } as unknown as BenchResults;

    const svg = await renderChart(results);

    expect(svg).to.match(/^<svg[^>]*>/);
    expect(svg).to.include('mikro-orm-eventstore benchmark');
  });

  it('names a metric without its unit', () => {
    expect(metricName({ label: 'p50 ms', unit: 'ms' })).to.equal('p50');
    expect(metricName({ label: 'loads/s', unit: 'loads/s' })).to.equal('loads/s');
  });

  it('fans out at the reference levels with batched checkpoints, and keeps the new workloads short in the quick profile', () => {
    const quick = profileFor(true);
    const full = profileFor(false);
    expect(full.levels).to.deep.equal([1, 10, 20, 50]);
    expect(full.fanOut.events).to.equal(10_000);
    expect(full.fanOut.checkpointEvery, 'several batches per checkpoint').to.be.above(full.batchSize);
    expect(full.subscriptionLatency.samples).to.equal(300);
    expect(quick.levels).to.deep.equal([1, 50]);
    expect(quick.fanOut.capMs).to.be.below(full.fanOut.capMs);
    expect(quick.subscriptionLatency.samples).to.be.below(full.subscriptionLatency.samples);
    expect(quick.aggregate.durationMs).to.be.below(full.aggregate.durationMs);
    expect(full.aggregate.streamLength).to.equal(100);
  });

  it('notes the contenders a workload leaves out, and the cells whose repetitions ran into the time cap', () => {
    const fanOut = workloadByKey('subscription-fan-out');
    const run = (complete: number[]) => complete.map((c): Sample => ({ metrics: { deliveriesPerSecond: 1000, complete: c }, events: 1, ops: 1, usage }));
    const result = (emmett: number[]) => ({
      key: fanOut.key, title: fanOut.title, levelName: 'subscriptions', metrics: fanOut.metrics, setup: {},
      levels: [{ level: 10, cells: [summarizeCell('library', run([1, 1, 1]), fanOut.metrics, null), summarizeCell('emmett', run(emmett), fanOut.metrics, null)] }],
    });
    const [capped, ...more] = workloadNotes(result([0, 1, 0]));
    expect(capped).to.match(/^Repetitions that reached the time cap before every delivery: Emmett at 10 subscriptions \(2 of 3\);/);
    expect(more).to.deep.equal([]);
    expect(workloadNotes(result([1, 1, 1]))).to.deep.equal([]);
    expect(workloadNotes({ ...result([1, 1, 1]), skipped: { emmett: 'it delivers events twice' } })).to.deep.equal(['Emmett not run: it delivers events twice']);
  });

  it("words the time-cap note with the workload's own terms, deliveries by default", () => {
    const projection = workloadByKey('projection-catch-up');
    const run = (complete: number[]) => complete.map((c): Sample => ({ metrics: { eventsPerSecond: 500, complete: c }, events: 1, ops: 1, usage }));
    const result = {
      key: projection.key, title: projection.title, levelName: projection.levelName, metrics: projection.metrics, setup: {}, cap: projection.cap,
      levels: [{ level: 1, cells: [summarizeCell('hand-sql', run([1, 1, 1]), projection.metrics, null), summarizeCell('library', run([0, 0, 1]), projection.metrics, null)] }],
    };
    expect(workloadNotes(result)).to.deep.equal([
      'Repetitions that reached the time cap before catching up: library at 1 projection (2 of 3); their rate counts the events committed by then.',
    ]);
    const { cap, ...uncapped } = result;
    expect(cap).to.not.equal(undefined);
    expect(workloadNotes(uncapped)[0]).to.match(/before every delivery: .*; their rate counts what was delivered by then\.$/);
  });

  it('never leaves the baseline out of a workload (every ratio is to it), unless the workload names its own', () => {
    for (const w of WORKLOADS) if (!w.baseline) expect(w.skip?.[BASELINE], w.key).to.equal(undefined);
    for (const w of WORKLOADS) if (w.baseline) expect(w.skip?.[w.baseline], w.key).to.equal(undefined);
  });
});
