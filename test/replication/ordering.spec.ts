/**
 * G1 and G4 on a hot standby, under the race suite's writers (concurrent
 * appends to random streams, a quarter in caller transactions held open,
 * some rolled back): a reader paging `$all` by checkpoint on the standby
 * sees every committed event exactly once, at increasing positions, each
 * stream's versions in order, nothing rolled back.
 */
import { expect } from 'chai';
import { EventStore } from '../../src';
import type { Standby } from '../../support/standby';
import { AllReader, raceReport } from '../ordering/support/all-reader';
import { runRace } from '../ordering/support/random-writers';
import { standbyOrSkip } from '../support/standby';
import { dropSchema } from '../support/stores';
import { primaryStore, replicaStore, uniqueSchema } from './helpers';

describe('$all ordering on a hot standby (G1, G4)', function () {
  this.timeout(180_000);
  let standby: Standby;
  let schema: string;
  let onReplica: EventStore;
  let onPrimary: EventStore;

  before(async function () {
    standby = await standbyOrSkip(this);
    schema = uniqueSchema('replica_race');
    onPrimary = await primaryStore(schema);
    onReplica = await replicaStore(standby, schema);
  });

  after(async () => {
    await onReplica?.close();
    await onPrimary?.close();
    if (schema) await dropSchema(schema);
  });

  it('writers and checkpoint reader in one store: every committed event seen once, in order; every append read back at once', async () => {
    // The store's own reads (expected versions, the read-back check, the reader) all go to the standby.
    const result = await runRace(onReplica, { writers: 10, appendsPerWriter: 30, streams: 15, seed: 11, label: 'replica-own' });
    expect(result.committed).to.be.greaterThan(400);
    expect(result.conflicts, 'the workload must really race').to.be.greaterThan(0);
    expect(result).to.include({ skipped: 0, repeated: 0, backwards: 0, rolledBackSeen: 0, streamOrderViolations: 0, g3Violations: 0 });
    expect(result.seen).to.equal(result.committed);
    expect(result.g3Checks).to.be.greaterThan(150);
  });

  it('writers on the primary, a checkpoint reader on the standby: it sees what the primary has, once, in the same order', async () => {
    const reader = new AllReader(onReplica, 50);
    await standby.caughtUp();
    await reader.startAtEnd();
    const from = reader.checkpoint;
    reader.start();
    let result;
    try {
      result = await runRace(onPrimary, { writers: 10, appendsPerWriter: 30, streams: 15, seed: 12, label: 'replica-other' });
    } finally {
      await reader.stop();
    }
    expect(result).to.include({ skipped: 0, repeated: 0, backwards: 0, rolledBackSeen: 0 });
    await standby.caughtUp();
    await reader.drain();
    const truth = await onPrimary.readAllForward(from + 1, 100_000);
    const committed = truth.map((e) => e.eventId);
    const report = raceReport(reader, committed, []);
    expect(report).to.include({ skipped: 0, repeated: 0, backwards: 0, streamOrderViolations: 0 });
    expect(reader.seen.map((e) => `${e.position}:${e.eventId}`)).to.deep.equal(truth.map((e) => `${e.position}:${e.eventId}`));
    expect(committed.length).to.equal(result.committed);
  });
});
