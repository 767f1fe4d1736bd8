import { expect } from 'chai';
import { growthChartSpec, renderGrowthChart } from '../../bench/growth/chart';
import { History, streamLengths } from '../../bench/growth/history';
import { growthMarkdown } from '../../bench/growth/markdown';
import { growthProfile } from '../../bench/growth/profile';
import { PROBES } from '../../bench/growth/probes';
import { GrowthResults, sizeLabel } from '../../bench/growth/results';
import { runGrowth, StageResult } from '../../bench/growth/run';
import { machineInfo } from '../../bench/report/machine';
import { dropSchema, testDatabaseUrl, uniqueSchema } from '../support/stores';

/** The growth bench at a tiny scale: every probe at every size, windows of a few milliseconds. */
const TINY = (() => {
  const p = growthProfile(true, { reps: 1 });
  return {
    ...p,
    warmupMs: 20,
    append: { warmupMs: 10, durationMs: 60, maxOps: 50 },
    command: { ...p.command, existingStreams: 120, warmupMs: 10, durationMs: 60, maxOps: 200 },
    streamRead: { ...p.streamRead, warmupMs: 10, durationMs: 60 },
    subscriptionLatency: { ...p.subscriptionLatency, warmup: 2, samples: 10, pauseMs: 1 },
    aggregate: { ...p.aggregate, warmupMs: 10, durationMs: 60, maxOps: 50 },
  };
})();

describe('growth bench', function () {
  this.timeout(180_000);
  const schema = uniqueSchema('growth');
  let stages: StageResult[];

  before(async () => {
    stages = await runGrowth({
      url: testDatabaseUrl(), schema, seed: 2000, sizes: [4000], streams: 300, loaders: 2, vacuum: true,
      profile: TINY, postmasterPid: null, log: () => undefined,
    });
  });

  after(() => dropSchema(schema));

  it('imports the history to each size and measures every probe there', () => {
    expect(stages.map((s) => s.size)).to.deep.equal([2000, 4000]);
    for (const stage of stages) {
      expect(stage.load.events).to.be.greaterThan(0);
      expect(stage.events, 'the history and the probes\' events').to.be.greaterThan(stage.size);
      expect(stage.lengths.streams).to.equal(300);
      for (const probe of PROBES) {
        const { median } = stage.probes[probe.key];
        // A delivery can reach its handler before the append's reply reaches the
        // appender (both follow the commit), so a latency may be at or below 0.
        if (probe.higherIsBetter) expect(median, probe.key).to.be.greaterThan(0);
        else expect(Number.isFinite(median), `${probe.key}: ${median}`).to.equal(true);
      }
      expect(stage.tables.find((t) => t.table === 'events')?.tableBytes).to.be.greaterThan(0);
      expect(stage.walBytesPerEvent?.['append-1-w1'], 'WAL per appended event').to.be.greaterThan(0);
    }
    expect(stages[1].lengths.max).to.be.greaterThan(stages[0].lengths.max);
  });

  it('reports every probe with its ratio to the new store and a chart', async () => {
    const results: GrowthResults = {
      startedAt: new Date().toISOString(), command: 'test', durationSeconds: 1, machine: machineInfo(),
      server: { embedded: false, version: 'PostgreSQL test', settings: {}, postmasterPid: null },
      profile: { name: 'tiny', reps: 1, eventIds: 'v4' }, streams: 300, loaders: 2, vacuum: true, probes: PROBES, stages,
    };
    const markdown = growthMarkdown(results);
    for (const probe of PROBES) expect(markdown).to.contain(probe.label);
    expect(markdown).to.contain(`| figure | ${sizeLabel(2000)} | ${sizeLabel(4000)} | target at 4k |`);
    expect(markdown).to.contain('WAL written per event');
    const bars = JSON.stringify(growthChartSpec(results));
    expect(bars).to.contain('bytes per event');
    expect(await renderGrowthChart(results)).to.match(/^<svg/);
  });
});

describe('growth history', () => {
  it('is the same for the same part, continues across calls and keeps every stream in version order', () => {
    const a = new History(50, 1);
    const b = new History(50, 1);
    const first = [...a.next(300)];
    expect([...b.next(300)].map((e) => e.streamId)).to.deep.equal(first.map((e) => e.streamId));
    const second = [...a.next(300)];
    const last = new Map<string, number>();
    for (const e of [...first, ...second]) {
      expect(e.streamVersion).to.equal((last.get(e.streamId) ?? 0) + 1);
      last.set(e.streamId, e.streamVersion);
    }
    expect(a.events).to.equal(600);
    const lengths = streamLengths([a]);
    expect(lengths.max, 'mixed lengths').to.be.greaterThan(lengths.min * 3);
    expect(new Set(first.map((e) => e.eventType)).size).to.be.greaterThan(4);
  });
});
