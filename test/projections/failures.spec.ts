import { expect } from 'chai';
import {
  DomainEvent,
  EventStore,
  Handles,
  Projection,
  ProjectionContext,
  ProjectionFailedError,
  ProjectionHandlerError,
  ProjectionRunner,
} from '../../src';
import { disposeStore } from '../support/stores';
import { AccountBalance } from './fixtures';
import { appendEvents, balances, caughtUp, projectionStore, waitForProjectionState, waitUntil } from './helpers';

@DomainEvent('ProjSpecCredit')
class Credit {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** Credits accounts; throws at the amounts listed in `failAt`, `times` times each (forever when undefined). */
@Projection('spec-flaky-credits', { batchSize: 20, maxAttempts: 3 })
class FlakyCredits {
  readonly failures = new Map<number, number>();
  readonly attempts: number[] = [];

  constructor(private readonly failAt: number[] = [], private readonly times?: number) {}

  @Handles(Credit)
  async credit(e: Credit, { em }: ProjectionContext): Promise<void> {
    this.attempts.push(e.amount);
    const account = await em.findOne(AccountBalance, { accountId: e.accountId });
    if (account) {
      account.balance += e.amount;
      account.events++;
    } else {
      em.persist(new AccountBalance(e.accountId, 'credits', e.amount));
    }
    if (this.failAt.includes(e.amount)) {
      const failed = this.failures.get(e.amount) ?? 0;
      if (this.times === undefined || failed < this.times) {
        this.failures.set(e.amount, failed + 1);
        throw new Error(`no credit of ${e.amount}`);
      }
    }
  }
}

/** Opens accounts with em.persist; a second opening of one id breaks only at the flush (primary key). */
@DomainEvent('ProjSpecOpenedTwice')
class Opened {
  constructor(readonly accountId: string) {}
}

@Projection('spec-flush-failures', { batchSize: 20, maxAttempts: 4 })
class FlushFailures {
  readonly batchesTried: number[][] = [];

  @Handles(Opened)
  opened(e: Opened, { em, event }: ProjectionContext): void {
    this.batchesTried.push([event.position]);
    em.persist(new AccountBalance(e.accountId, 'opened', 0));
  }
}

describe('projections: failures', () => {
  let store: EventStore;
  let runner: ProjectionRunner | undefined;

  beforeEach(async () => {
    store = await projectionStore('proj_fail');
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await disposeStore(store);
  });

  async function credits(amounts: number[]): Promise<number[]> {
    await appendEvents(store, 'credits', amounts.map((amount) => new Credit('acc', amount)));
    return (await store.readAllForward()).map((event) => event.position);
  }

  it('rolls back a batch whose handler throws and retries it; each event ends up applied once', async () => {
    await credits([1, 2, 3, 4, 5]);
    const projection = new FlakyCredits([3], 2);
    const errors: Error[] = [];
    runner = store.projections([projection], { retryDelayMs: 5, onError: (error) => errors.push(error) });
    await runner.start();
    await caughtUp(runner, 'spec-flaky-credits');

    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'credits', balance: 15, events: 5 }]);
    expect(errors).to.have.length(2);
    expect(errors.every((e) => e instanceof ProjectionHandlerError)).to.equal(true);
    const first = errors[0] as ProjectionHandlerError;
    expect(first).to.include({ code: 'projection_handler_failed', projection: 'spec-flaky-credits', position: 3, attempt: 1 });
    expect((first.cause as Error).message).to.equal('no credit of 3');
    expect((errors[1] as ProjectionHandlerError).attempt).to.equal(2);
    // First the whole batch; then the events before the failing one; then the failing one alone until it passes.
    expect(projection.attempts).to.deep.equal([1, 2, 3, 1, 2, 3, 3, 4, 5]);
  });

  it('stops in the failed state after maxAttempts, with the error and the position, its checkpoint just before the event', async () => {
    const positions = await credits([1, 2, 3, 4, 5]);
    const projection = new FlakyCredits([4]);
    const events: Array<[Error, string]> = [];
    runner = store.projections([projection], { retryDelayMs: 5 });
    runner.on('error', (error, name) => events.push([error, name]));
    await runner.start();
    await waitForProjectionState(runner, 'spec-flaky-credits', 'failed');

    const status = await runner.status('spec-flaky-credits');
    expect(status).to.include({ state: 'failed', checkpoint: positions[2], failedPosition: positions[3], lag: 2, owner: null });
    expect(status.error?.message).to.equal('no credit of 4');
    // Never half-applied: the credits before the failing one, nothing of it or after it.
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'credits', balance: 6, events: 3 }]);
    const failed = events.map(([error]) => error).find((error) => error instanceof ProjectionFailedError) as ProjectionFailedError;
    expect(failed).to.include({ code: 'projection_failed', projection: 'spec-flaky-credits', position: positions[3], attempts: 3 });
    expect(events.every(([, name]) => name === 'spec-flaky-credits')).to.equal(true);
    expect(projection.failures.get(4)).to.equal(3);

    // Nothing more happens until it is started again.
    await credits([6]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await runner.status('spec-flaky-credits')).state).to.equal('failed');
  });

  it('carries on from the failing event when started again', async () => {
    await credits([1, 2, 3]);
    const projection = new FlakyCredits([2], 3);
    runner = store.projections([projection], { retryDelayMs: 5, onError: () => undefined });
    await runner.start();
    await waitForProjectionState(runner, 'spec-flaky-credits', 'failed');
    await runner.start(); // the projection's fourth attempt at 2 succeeds
    await caughtUp(runner, 'spec-flaky-credits');
    const status = await runner.status('spec-flaky-credits');
    expect(status.error).to.equal(undefined);
    expect(status.failedPosition).to.equal(undefined);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'credits', balance: 6, events: 3 }]);
  });

  it('finds the event of a batch whose flush fails by retrying event by event, and applies everything before it', async () => {
    await appendEvents(store, 'opened', [new Opened('a'), new Opened('b'), new Opened('c'), new Opened('b'), new Opened('d')]);
    const projection = new FlushFailures();
    const errors: ProjectionHandlerError[] = [];
    runner = store.projections([projection], { retryDelayMs: 5, onError: (error) => errors.push(error as ProjectionHandlerError) });
    await runner.start();
    await waitForProjectionState(runner, 'spec-flush-failures', 'failed');

    const status = await runner.status('spec-flush-failures');
    expect(status).to.include({ checkpoint: 3, failedPosition: 4 });
    expect(status.error?.name).to.equal('UniqueConstraintViolationException');
    expect((await balances(store.schema)).map((b) => b.account_id)).to.deep.equal(['a', 'b', 'c']);
    // The whole batch fails at its flush (position unknown), then one event per batch finds it; the fourth failure gives up.
    expect(errors.map((e) => [e.constructor.name, e.position])).to.deep.equal([
      ['ProjectionHandlerError', undefined], ['ProjectionHandlerError', 4], ['ProjectionHandlerError', 4], ['ProjectionFailedError', 4],
    ]);
  });

  it('logs failures through MikroORM when nobody listens, and keeps going', async () => {
    await credits([1, 2]);
    const logged: string[] = [];
    const logger = store.orm.config.getLogger();
    const original = logger.error.bind(logger);
    logger.error = (_namespace, message) => logged.push(message);
    try {
      runner = store.projections([new FlakyCredits([2], 1)], { retryDelayMs: 5 });
      await runner.start();
      await caughtUp(runner, 'spec-flaky-credits');
    } finally {
      logger.error = original;
    }
    expect(logged).to.have.length(1);
    expect(logged[0]).to.match(/projection "spec-flaky-credits".*no credit of 2/);
  });

  it('waits between attempts, the delay doubling', async () => {
    await credits([1]);
    const times: number[] = [];
    runner = store.projections([new FlakyCredits([1])], { retryDelayMs: 40, onError: () => times.push(Date.now()) });
    await runner.start();
    await waitForProjectionState(runner, 'spec-flaky-credits', 'failed');
    await waitUntil(() => times.length === 3, 'three failures were reported');
    expect(times[1] - times[0]).to.be.at.least(35);
    expect(times[2] - times[1]).to.be.at.least(75);
  });
});
