import { expect } from 'chai';
import { EVENT_DATA_BYTES, EVENT_METADATA_BYTES, makeEvents } from '../../bench/fixtures';
import { profileFor } from '../../bench/profile';
import { summarizeCell } from '../../bench/report/model';
import { pairedRatio, quantile, spread } from '../../bench/report/stats';
import { judgeTargets, targetsFor } from '../../bench/report/targets';
import { repetitionOrder } from '../../bench/suite';
import { WORKLOADS } from '../../bench/workloads';
import type { Sample } from '../../bench/workloads/workload';

const usage = { elapsedMs: 1000, clientCpuUs: 1000, serverCpuUs: 2000, walBytes: 500, queries: 10 };
const sample = (eventsPerSecond: number): Sample => ({ metrics: { eventsPerSecond }, events: 100, ops: 10, usage });

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
});
