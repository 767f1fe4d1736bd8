/**
 * G1 with caller transactions whose id order, write order and commit order
 * all differ: a reader paging `$all` by checkpoint after every commit must
 * see every committed event exactly once, and never one behind its
 * checkpoint. The same scenarios run against a plain-sequence position
 * assignment (the negative control), which must be caught.
 */
import { expect } from 'chai';
import { EventStore } from '../../src';
import { connectStore, disposeStore } from '../support/stores';
import { AllReader, RaceReport, raceReport } from './support/all-reader';
import { installPlainSequencePositions } from './support/broken-orderings';
import { CallerTransaction, sequenced } from './support/transactions';

type Step = [tx: number, action: 'xid' | 'write' | 'commit' | 'rollback'];

async function runScenario(store: EventStore, steps: Step[], label: string): Promise<RaceReport> {
  const reader = new AllReader(store);
  await reader.startAtEnd();
  const txCount = Math.max(...steps.map(([t]) => t)) + 1;
  const txs: CallerTransaction[] = [];
  for (let t = 0; t < txCount; t++) txs.push(await CallerTransaction.begin(store, `${label}-t${t}`));
  const committed: string[] = [];
  const rolledBack: string[] = [];
  for (const [t, action] of steps) {
    const tx = txs[t];
    if (action === 'xid') await tx.takeXid();
    else if (action === 'write') await tx.write(3);
    else if (action === 'rollback') {
      rolledBack.push(tx.stream);
      await tx.rollback();
    } else {
      await tx.commit();
      const read = await sequenced(store, tx.stream);
      committed.push(...read.map((e) => e.eventId));
      await reader.drain();
    }
  }
  await reader.drain();
  return raceReport(reader, committed, []);
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Transactions 0..n-1 take their ids in `xids` order, write in `writes` order, commit in `commits` order. */
function scenario(xids: number[], writes: number[], commits: number[], rollback?: number): Step[] {
  return [
    ...xids.map((t): Step => [t, 'xid']),
    ...writes.map((t): Step => [t, 'write']),
    ...commits.map((t): Step => [t, t === rollback ? 'rollback' : 'commit']),
  ];
}

const NAMED: Array<[string, Step[]]> = [
  ['2 transactions: ids T2<T1, writes T1,T2, commits T2,T1', scenario([1, 0], [0, 1], [1, 0])],
  ['3 transactions: ids T3<T1<T2, writes T1,T2,T3, commits T3,T1,T2', scenario([2, 0, 1], [0, 1, 2], [2, 0, 1])],
  ['3 transactions with a rollback in the middle', scenario([0, 1, 2], [0, 1, 2], [2, 1, 0], 1)],
];

function allThreeTransactionOrders(): Array<[string, Step[]]> {
  const orders = permutations([0, 1, 2]);
  const out: Array<[string, Step[]]> = [];
  for (const writes of orders) {
    for (const commits of orders) {
      out.push([`writes ${writes.join('')} commits ${commits.join('')}`, scenario([0, 1, 2], writes, commits)]);
    }
  }
  return out;
}

describe('$all ordering: interleaved caller transactions (G1)', function () {
  this.timeout(60_000);

  describe('with the sequencer', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('order_seq');
    });
    after(() => disposeStore(store));

    for (const [name, steps] of NAMED) {
      it(`${name}: every committed event seen once, none behind the checkpoint`, async () => {
        const report = await runScenario(store, steps, name.replace(/\W+/g, '-'));
        expect(report).to.include({ skipped: 0, repeated: 0, backwards: 0, streamOrderViolations: 0 });
        expect(report.seen).to.equal(report.committed);
      });
    }

    it('all 36 write/commit orders of 3 transactions: nothing skipped or repeated', async () => {
      for (const [name, steps] of allThreeTransactionOrders()) {
        const report = await runScenario(store, steps, name.replace(/\W+/g, '-'));
        expect(report, name).to.include({ skipped: 0, repeated: 0, backwards: 0, streamOrderViolations: 0 });
      }
    });
  });

  describe('negative control: a plain sequence taken at insert', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('order_plain');
      await installPlainSequencePositions(store);
    });
    after(() => disposeStore(store));

    for (const [name, steps] of NAMED) {
      it(`${name}: the suite catches the skipped events`, async () => {
        const report = await runScenario(store, steps, name.replace(/\W+/g, '-'));
        expect(report.skipped).to.be.greaterThan(0);
      });
    }

    it('of the 36 orders, the suite catches every one that commits a later writer first (30)', async () => {
      const caught: string[] = [];
      const inverted: string[] = [];
      for (const [name, steps] of allThreeTransactionOrders()) {
        const report = await runScenario(store, steps, name.replace(/\W+/g, '-'));
        if (report.skipped > 0) caught.push(name);
        const writes = steps.filter(([, a]) => a === 'write').map(([t]) => t).join('');
        const commits = steps.filter(([, a]) => a === 'commit').map(([t]) => t).join('');
        if (writes !== commits) inverted.push(name);
      }
      expect(inverted).to.have.length(30);
      expect(caught).to.deep.equal(inverted);
    });
  });
});
