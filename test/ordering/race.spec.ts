/**
 * G1, G3 and G4 under load: 20 writers x 50 random appends (a quarter in
 * caller transactions held open for up to 40 ms, some rolled back) while a
 * reader pages `$all` by checkpoint. Every committed event must be seen
 * exactly once at increasing positions, no rolled-back event ever, each
 * stream's versions in order, and every autocommit append readable in `$all`
 * when it returns. The plain-sequence control must fail the same suite.
 */
import { expect } from 'chai';
import { EventStore } from '../../src';
import { connectStore, disposeStore } from '../support/stores';
import { installLateSequencing, installPlainSequencePositions } from './support/broken-orderings';
import { runRace } from './support/random-writers';

describe('$all ordering: 20 concurrent writers and a checkpoint reader (G1, G3, G4)', function () {
  this.timeout(120_000);

  describe('with the sequencer', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('race_seq');
    });
    after(() => disposeStore(store));

    for (const seed of [1, 2]) {
      it(`seed ${seed}: every committed event seen exactly once, in order, none rolled back`, async () => {
        const result = await runRace(store, { writers: 20, appendsPerWriter: 50, streams: 30, seed, label: `seed${seed}` });
        if (process.env.RACE_REPORT) process.stdout.write(`${JSON.stringify(result)}\n`);
        expect(result.committed).to.be.greaterThan(1500);
        expect(result.conflicts, 'the workload must really race').to.be.greaterThan(0);
        expect(result).to.include({ skipped: 0, repeated: 0, backwards: 0, rolledBackSeen: 0, streamOrderViolations: 0, g3Violations: 0 });
        expect(result.seen).to.equal(result.committed);
        expect(result.g3Checks).to.be.greaterThan(500);
      });
    }

    it('a filtered checkpoint reader sees every matching event exactly once, in order, none rolled back', async () => {
      const result = await runRace(store, { writers: 20, appendsPerWriter: 50, streams: 30, seed: 4, label: 'filtered', filterWriters: [0, 7, 13] });
      if (process.env.RACE_REPORT) process.stdout.write(`${JSON.stringify(result)}\n`);
      expect(result.committed).to.be.greaterThan(150);
      expect(result.conflicts, 'the workload must really race').to.be.greaterThan(0);
      expect(result).to.include({ skipped: 0, repeated: 0, backwards: 0, rolledBackSeen: 0, streamOrderViolations: 0, g3Violations: 0 });
      expect(result.seen).to.equal(result.committed);
    });

    it('a full read afterwards gives gap-free positions 1..N, each event once', async () => {
      const positions: number[] = [];
      const ids = new Set<string>();
      for await (const event of store.streamAllForward(0, { batchSize: 997 })) {
        positions.push(event.position);
        ids.add(event.eventId);
      }
      expect(positions.length).to.be.greaterThan(3000);
      expect(ids.size).to.equal(positions.length);
      expect(positions).to.deep.equal(positions.map((_, i) => i + 1));
    });
  });

  describe('negative control: a plain sequence taken at insert', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('race_plain');
      await installPlainSequencePositions(store);
    });
    after(() => disposeStore(store));

    it('the same suite catches skipped events', async () => {
      const result = await runRace(store, { writers: 20, appendsPerWriter: 50, streams: 30, seed: 1, label: 'plain' });
      if (process.env.RACE_REPORT) process.stdout.write(`${JSON.stringify(result)}\n`);
      expect(result.committed).to.be.greaterThan(1500);
      expect(result.skipped, JSON.stringify(result)).to.be.greaterThan(0);
      expect(result.streamOrderViolations).to.be.greaterThan(0);
    });

    it('the filtered reader catches skipped events too', async () => {
      const result = await runRace(store, { writers: 20, appendsPerWriter: 50, streams: 30, seed: 1, label: 'plainf', filterWriters: [0, 7, 13] });
      expect(result.committed).to.be.greaterThan(150);
      expect(result.skipped, JSON.stringify(result)).to.be.greaterThan(0);
    });
  });
});

describe('$all ordering: negative control for read-your-writes (G3)', function () {
  this.timeout(60_000);
  let store: EventStore;
  before(async () => {
    store = await connectStore('race_late');
    await installLateSequencing(store);
  });
  after(() => disposeStore(store));

  it('appends that return before they are sequenced are caught by the G3 check', async () => {
    const result = await runRace(store, { writers: 5, appendsPerWriter: 20, streams: 10, seed: 3, label: 'late' });
    expect(result.g3Violations).to.be.greaterThan(0);
  });
});
