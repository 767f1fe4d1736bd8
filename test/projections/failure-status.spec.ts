/**
 * A projection's failure is stored with its row: every process (here a
 * second store on the same schema, and the command line tool) sees the
 * `failed` state, the error and the position, and a run that gets past the
 * failing event clears it for all of them.
 */
import { expect } from 'chai';
import { DomainEvent, EventStore, Handles, Projection, ProjectionContext, ProjectionRunner } from '../../src';
import { runInProcess } from '../cli/cli-runner';
import { connectStore, disposeStore } from '../support/stores';
import { AccountBalance, READ_MODEL_ENTITIES } from './fixtures';
import { appendEvents, caughtUp, projectionStore, waitForProjectionState, waitUntil } from './helpers';

@DomainEvent('ProjSpecStoredCredit')
class StoredCredit {
  constructor(readonly accountId: string, readonly amount: number) {}
}

class CreditRefused extends Error {
  readonly code = 'credit_refused';
}

/** Refuses the amounts in `refused` (shared by every instance, so a "fix" reaches all of them). */
const refused = new Set<number>();

@Projection('spec-stored-failures', { batchSize: 10, maxAttempts: 2 })
class StoredFailures {
  @Handles(StoredCredit)
  async credit(e: StoredCredit, { em }: ProjectionContext): Promise<void> {
    if (refused.has(e.amount)) throw new CreditRefused(`credit of ${e.amount} refused`);
    const account = await em.findOne(AccountBalance, { accountId: e.accountId });
    if (account) account.balance += e.amount;
    else em.persist(new AccountBalance(e.accountId, 'stored', e.amount));
  }
}

const NAME = 'spec-stored-failures';

describe('projections: a failure is stored with the row', () => {
  let store: EventStore;
  let other: EventStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    refused.clear();
    store = await projectionStore('proj_stored');
    other = await connectStore('unused', { schema: store.schema, entities: READ_MODEL_ENTITIES as never });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await other.close();
    await disposeStore(store);
  });

  async function failIn(runnerStore: EventStore): Promise<number[]> {
    await appendEvents(store, 'acc', [1, 2, 3, 4].map((amount) => new StoredCredit('acc', amount)));
    const positions = (await store.readAllForward()).map((event) => event.position);
    refused.add(3);
    const runner = runnerStore.projections([StoredFailures], { retryDelayMs: 5, onError: () => undefined });
    runners.push(runner);
    await runner.start();
    await waitForProjectionState(runner, NAME, 'failed');
    return positions;
  }

  it('another store (process) sees the failed state, the error with its code and the position', async () => {
    const positions = await failIn(store);
    // The failing runner lets go once the failure is stored.
    await waitUntil(async () => (await store.projections([StoredFailures]).status(NAME)).owner === null, 'the failed runner let go');

    const status = await other.projections([StoredFailures]).status(NAME);
    expect(status).to.include({ name: NAME, state: 'failed', checkpoint: positions[1], failedPosition: positions[2], owner: null, lag: 2 });
    expect(status.error?.message).to.equal('credit of 3 refused');
    expect((status.error as Error & { code?: string }).code).to.equal('credit_refused');
    expect(status.failure).to.deep.include({ message: 'credit of 3 refused', code: 'credit_refused', position: positions[2] });
    expect(status.failure!.failedAt).to.be.instanceOf(Date);

    // The failing process says the same.
    const local = await runners[0].status(NAME);
    expect(local).to.include({ state: 'failed', failedPosition: positions[2] });
    expect(local.failure).to.deep.include({ message: 'credit of 3 refused', code: 'credit_refused', position: positions[2] });
  });

  it('the command line status shows the failure, and calls the checkpoint "checkpoint"', async () => {
    const positions = await failIn(store);
    await waitUntil(async () => (await runInProcess(['status', '--schema', store.schema, '--json'])).stdout.includes('credit_refused'), 'the failure is stored');
    const json = await runInProcess(['status', '--schema', store.schema, '--json']);
    const row = JSON.parse(json.stdout).subscriptions.find((s: { name: string }) => s.name === `projection:${NAME}`);
    expect(row).to.deep.include({ checkpoint: positions[1], lag: 2 });
    expect(row).to.not.have.property('lastSeen');
    expect(row.failure).to.deep.include({ message: 'credit of 3 refused', code: 'credit_refused', position: positions[2] });
    const text = await runInProcess(['status', '--schema', store.schema]);
    expect(text.stdout).to.match(new RegExp(`failed: projection:${NAME} at position ${positions[2]} \\(.+\\): credit of 3 refused \\[credit_refused\\]`));
  });

  it('a run in another process that gets past the failing event clears it for every process', async () => {
    await failIn(store);
    await waitUntil(async () => (await other.projections([StoredFailures]).status(NAME)).state === 'failed', 'the failure is stored');
    refused.clear(); // the fix, deployed to the other process
    const fixed = other.projections([StoredFailures], { retryDelayMs: 5 });
    runners.push(fixed);
    await fixed.start();
    await caughtUp(fixed, NAME);
    await waitUntil(async () => (await fixed.status(NAME)).failure === undefined, 'the failure is cleared');

    const there = await fixed.status(NAME);
    expect(there).to.include({ state: 'live', lag: 0 });
    expect(there.error).to.equal(undefined);
    // The process where it failed no longer calls it failed either.
    const here = await runners[0].status(NAME);
    expect(here.state).to.equal('stopped');
    expect(here.failure).to.equal(undefined);
    expect(here.error).to.equal(undefined);
    const json = JSON.parse((await runInProcess(['status', '--schema', store.schema, '--json'])).stdout);
    expect(json.subscriptions.find((s: { name: string }) => s.name === `projection:${NAME}`).failure).to.equal(null);
  });

  it('a restart in the same process that succeeds clears it too', async () => {
    await failIn(store);
    await waitUntil(async () => (await other.projections([StoredFailures]).status(NAME)).state === 'failed', 'the failure is stored');
    refused.clear();
    await runners[0].start();
    await caughtUp(runners[0], NAME);
    await waitUntil(async () => (await other.projections([StoredFailures]).status(NAME)).failure === undefined, 'the failure is cleared');
    expect((await other.projections([StoredFailures]).status(NAME)).state).to.equal('stopped');
  });
});
