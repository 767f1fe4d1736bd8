import { expect } from 'chai';
import {
  EventStore,
  ProjectionBusyError,
  ProjectionRunner,
  RebuildInterruptedError,
  RebuildProgress,
} from '../../src';
import { caught, disposeStore, testDatabaseUrl, withClient } from '../support/stores';
import { checkpointOf, subscriptionRow } from '../subscriptions/helpers';
import { AccountBalances, AccountOpened, AppliedLog, Deposited, Noted, READ_MODEL_ENTITIES, Withdrawn } from './fixtures';
import { Gate, appendEvents, balances, caughtUp, expectedBalances, projectionStore, rows, sleep, waitForProjectionState, waitUntil } from './helpers';

/** `accounts` accounts, each opened and then moved `moves` times. */
async function seedAccounts(store: EventStore, accounts: number, moves: number, prefix = 'acc'): Promise<void> {
  for (let a = 0; a < accounts; a++) {
    const id = `${prefix}-${a}`;
    const events: object[] = [new AccountOpened(id, `owner ${a}`, 100)];
    for (let m = 0; m < moves; m++) events.push(m % 3 === 2 ? new Withdrawn(id, 7) : new Deposited(id, m + 1));
    await appendEvents(store, id, events);
  }
}

describe('projections: rebuild', () => {
  let store: EventStore;
  let other: EventStore | undefined;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = await projectionStore('proj_rebuild');
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await other?.close();
    other = undefined;
    await disposeStore(store);
  });

  function run(...args: Parameters<EventStore['projections']>): ProjectionRunner {
    const runner = store.projections(...args);
    runners.push(runner);
    return runner;
  }

  it('resets the read model and the checkpoint, then replays $all from the origin, reporting progress', async () => {
    await seedAccounts(store, 4, 30);
    await appendEvents(store, 'notes', [new Noted('not handled, but replayed')]);
    const runner = run([AccountBalances]);
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');
    // The read model drifted (a bug since fixed, a manual edit): a rebuild makes it right again.
    await withClient((c) => c.query(`update "${store.schema}".proj_account_balances set balance = -1`));

    const progress: RebuildProgress[] = [];
    const result = await runner.rebuild('spec-account-balances', { onProgress: (p) => progress.push({ ...p }) });

    expect(await balances(store.schema)).to.deep.equal(await expectedBalances(store));
    expect(result).to.include({ projection: 'spec-account-balances', events: 125, position: 125 });
    expect(result.elapsedMs).to.be.a('number');
    // One report when the replay begins, then one per committed batch (batchSize 50).
    expect(progress.map((p) => p.done)).to.deep.equal([0, 50, 100, 125]);
    expect(progress.every((p) => p.total === 125 && p.projection === 'spec-account-balances')).to.equal(true);
    expect(progress[progress.length - 1]).to.include({ position: 125 });
    expect(progress[progress.length - 1].ratePerSecond).to.be.above(0);
    // The runner goes on following $all.
    await appendEvents(store, 'acc-0', [new Deposited('acc-0', 1000)]);
    await waitUntil(async () => (await balances(store.schema))[0].balance === (await expectedBalances(store))[0].balance, 'the new deposit is applied');
    await caughtUp(runner, 'spec-account-balances');
  });

  it('ends consistent with a projection that ran from the start while writers keep appending', async function () {
    this.timeout(60_000);
    await seedAccounts(store, 10, 60);
    const runner = run([AccountBalances]);
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');

    let writing = true;
    const writers = [0, 1, 2].map(async (w) => {
      for (let n = 0; writing; n++) {
        const id = `acc-${(w * 3 + n) % 10}`;
        await appendEvents(store, id, [new Deposited(id, 1), new Withdrawn(id, 1), new Deposited(id, w + 1)]);
        if (n % 5 === 0) await appendEvents(store, `new-${w}-${n}`, [new AccountOpened(`new-${w}-${n}`, 'late', n)]);
        await sleep(2);
      }
    });
    const startedAt = (await store.readAllBackward(-1, 1))[0].position;
    const result = await runner.rebuild('spec-account-balances');
    const appendedDuring = (await store.readAllBackward(-1, 1))[0].position - startedAt;
    await sleep(50);
    writing = false;
    await Promise.all(writers);
    await caughtUp(runner, 'spec-account-balances');

    expect(appendedDuring, 'writers appended during the rebuild').to.be.above(0);
    expect(result.events).to.be.at.least(startedAt);
    expect(await balances(store.schema)).to.deep.equal(await expectedBalances(store));
  });

  it('holds the ownership: it waits for a runner elsewhere to let go, which then waits while the rebuild runs', async () => {
    await seedAccounts(store, 2, 5);
    other = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: store.schema, entities: READ_MODEL_ENTITIES });
    const elsewhere = other.projections([AccountBalances], { takeoverIntervalMs: 20 });
    runners.push(elsewhere);
    await elsewhere.start();
    await caughtUp(elsewhere, 'spec-account-balances');

    // Not started here: the rebuild asks for the ownership, which the other store holds.
    const gate = new Gate();
    const projection = new AppliedLog({ appliedBy: 'rebuild', onApplied: () => gate.pass() });
    const here = run([AccountBalances, projection]);
    const busy = await caught(here.rebuild('spec-account-balances', { ownershipTimeoutMs: 100 }));
    expect(busy).to.be.instanceOf(ProjectionBusyError);
    expect(busy.code).to.equal('projection_busy');
    expect(busy.message).to.match(/another process \(.+:\d+:[0-9a-f]+\) runs it/);

    // The projection of the other store is stopped: the rebuild gets it, and holds it until done.
    const elsewhereLog = other.projections([new AppliedLog({ appliedBy: 'elsewhere' })], { takeoverIntervalMs: 20 });
    runners.push(elsewhereLog);
    const rebuilding = here.rebuild('spec-applied-log');
    await waitUntil(() => gate.reached, 'the rebuild is inside its first batch');
    await elsewhereLog.start();
    await sleep(100);
    expect((await elsewhereLog.status('spec-applied-log')).state).to.equal('standby');
    gate.release();
    const result = await rebuilding;
    expect(result.events).to.equal(12);
    expect(new Set((await rows<{ applied_by: string }>(store.schema, 'proj_applied_events', 'position')).map((r) => r.applied_by))).to.deep.equal(new Set(['rebuild']));
    // Done, the runner that was not started lets go, and the one elsewhere takes over.
    expect((await here.status('spec-applied-log')).state).to.equal('stopped');
    await waitForProjectionState(elsewhereLog, 'spec-applied-log', 'live');
  });

  it('gives a failed projection a fresh start', async () => {
    await appendEvents(store, 'acc-x', [new AccountOpened('acc-x', 'x', 1), new Deposited('acc-x', 2)]);
    // Opened twice: the second opening breaks the primary key, until the read model is reset.
    await withClient((c) => c.query(`insert into "${store.schema}".proj_account_balances (account_id, owner, balance) values ('acc-x', 'stale', 0)`));
    const runner = run([AccountBalances], { retryDelayMs: 5, onError: () => undefined });
    await runner.start();
    await waitForProjectionState(runner, 'spec-account-balances', 'failed');
    await runner.rebuild('spec-account-balances');
    await caughtUp(runner, 'spec-account-balances');
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc-x', owner: 'x', balance: 3, events: 2 }]);
    expect((await runner.status('spec-account-balances')).error).to.equal(undefined);
  });

  it('is interrupted by stop(), leaving a read model consistent with its checkpoint', async () => {
    await appendEvents(store, 'acc', Array.from({ length: 30 }, (_, i) => new Deposited('acc', i)));
    const gate = new Gate();
    const runner = run([new AppliedLog({ onApplied: (position) => (position === 25 ? gate.pass() : undefined) })]);
    const rebuilding = runner.rebuild('spec-applied-log').then(() => undefined, (error: unknown) => error);
    await waitUntil(() => gate.reached, 'the rebuild is in its third batch');
    const stopping = runner.stop();
    gate.release();
    await stopping;
    const error = (await rebuilding) as RebuildInterruptedError;
    expect(error).to.be.instanceOf(RebuildInterruptedError);
    expect(error.code).to.equal('rebuild_interrupted');
    const checkpoint = await checkpointOf(store.schema, '$all', 'projection:spec-applied-log');
    const applied = await rows<{ position: string }>(store.schema, 'proj_applied_events', 'position');
    expect(applied.map((r) => Number(r.position))).to.deep.equal(Array.from({ length: checkpoint! }, (_, i) => i + 1));
    expect((await subscriptionRow(store.schema, '$all', 'projection:spec-applied-log'))?.owner).to.equal(null);
  });

  it('refuses a second rebuild of the same projection while one runs', async () => {
    await appendEvents(store, 'acc', [new Deposited('acc', 1)]);
    const gate = new Gate();
    const runner = run([new AppliedLog({ onApplied: () => gate.pass() })]);
    const first = runner.rebuild('spec-applied-log');
    await waitUntil(() => gate.reached, 'the first rebuild is applying');
    const second = await caught(runner.rebuild('spec-applied-log'));
    expect(second).to.be.instanceOf(ProjectionBusyError);
    gate.release();
    expect((await first).events).to.equal(1);
  });
});
