import { expect } from 'chai';
import { EventStore, ProjectionRunner } from '../../src';
import { lockConnectionPid } from '../support/store-probe';
import { disposeStore, testDatabaseUrl, withClient } from '../support/stores';
import { checkpointOf } from '../subscriptions/helpers';
import { AppliedLog, Deposited, READ_MODEL_ENTITIES } from './fixtures';
import { Gate, appendEvents, caughtUp, projectionStore, rows, waitForProjectionState, waitUntil } from './helpers';

/** The positions applied to the log, and by whom. */
async function appliedLog(schema: string): Promise<Array<{ position: number; by: string }>> {
  return (await rows<{ position: string; applied_by: string }>(schema, 'proj_applied_events', 'position'))
    .map((row) => ({ position: Number(row.position), by: row.applied_by }));
}

async function depositPositions(store: EventStore): Promise<number[]> {
  return (await store.readAllForward()).filter((e) => e.eventType === 'ProjSpecDeposited').map((e) => e.position);
}

describe('projections: racing owners (the checkpoint compare-and-set)', () => {
  let store: EventStore;
  let other: EventStore | undefined;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = await projectionStore('proj_race');
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await other?.close();
    other = undefined;
    await disposeStore(store);
  });

  it('rolls a batch back when a newer owner fenced it off meanwhile; the next term applies it again, once', async () => {
    await appendEvents(store, 'acc', [1, 2, 3, 4, 5].map((n) => new Deposited('acc', n)));
    const positions = await depositPositions(store);
    const gate = new Gate();
    const runner = store.projections([new AppliedLog({ onApplied: (position) => (position === positions[2] ? gate.pass() : undefined) })], { takeoverIntervalMs: 20 });
    runners.push(runner);
    const errors: Error[] = [];
    runner.on('error', (error) => errors.push(error));
    await runner.start();
    await waitUntil(() => gate.reached, 'the batch is inside its third handler');

    // Another owner's claim, as seen by this one: the row's epoch moves on.
    await withClient((c) => c.query(`update "${store.schema}".subscriptions set epoch = epoch + 1 where name = 'projection:spec-applied-log'`));
    gate.release();
    await caughtUp(runner, 'spec-applied-log');

    expect((await appliedLog(store.schema)).map((row) => row.position)).to.deep.equal(positions);
    expect(errors.map((e) => e.message)).to.satisfy((messages: string[]) => messages.some((m) => /another owner took over .* rolled back/.test(m)));
    expect(await checkpointOf(store.schema, '$all', 'projection:spec-applied-log')).to.equal(positions[4]);
  });

  it('lets only one of two runners in one process commit a batch: the deposed one rolls back, the other applies every event once', async () => {
    await appendEvents(store, 'acc', [1, 2, 3, 4, 5, 6].map((n) => new Deposited('acc', n)));
    const positions = await depositPositions(store);
    const gate = new Gate();
    // Runner A takes the projection, and is held inside its first batch after three inserts.
    const a = store.projections([new AppliedLog({ appliedBy: 'A', onApplied: (position) => (position === positions[2] ? gate.pass() : undefined) })],
      { takeoverIntervalMs: 60_000, onError: () => undefined });
    runners.push(a);
    await a.start();
    await waitUntil(() => gate.reached, 'A is inside its batch');

    // Runner B, in a second store on the same schema, waits as a standby.
    other = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema, entities: READ_MODEL_ENTITIES });
    const b = other.projections([new AppliedLog({ appliedBy: 'B' })], { takeoverIntervalMs: 20 });
    runners.push(b);
    await b.start();
    await waitForProjectionState(b, 'spec-applied-log', 'standby');

    // A's lock connection dies: B takes over (a new epoch) and starts its own batch, which waits on A's uncommitted rows.
    const pid = await lockConnectionPid(store);
    await withClient((c) => c.query('select pg_terminate_backend($1)', [pid]));
    await waitUntil(async () => (await b.status('spec-applied-log')).state !== 'standby', 'B owns the projection');
    expect((await a.status('spec-applied-log')).state).to.equal('standby');

    // A finishes its batch: its compare-and-set is refused and everything it wrote rolls back.
    gate.release();
    await caughtUp(b, 'spec-applied-log');
    const log = await appliedLog(store.schema);
    expect(log.map((row) => row.position)).to.deep.equal(positions);
    expect(new Set(log.map((row) => row.by))).to.deep.equal(new Set(['B']));
    expect(await checkpointOf(store.schema, '$all', 'projection:spec-applied-log')).to.equal(positions[5]);
    expect((await a.status('spec-applied-log')).state).to.equal('standby');
  });
});
