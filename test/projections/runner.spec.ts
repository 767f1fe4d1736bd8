import { expect } from 'chai';
import {
  DomainEvent,
  DuplicateProjectionError,
  EventStore,
  ExpectedVersion,
  Handles,
  InvalidArgumentError,
  Projection,
  ProjectionContext,
  ProjectionNotFoundError,
  ProjectionNotRegisteredError,
  ProjectionRunner,
  StoreClosedError,
  SubscriptionAlreadyExistsError,
} from '../../src';
import { observeReads } from '../support/store-probe';
import { caught, disposeStore, events } from '../support/stores';
import { subscriptionRow } from '../subscriptions/helpers';
import { AccountBalances, AccountOpened, AppliedLog, Deposited, Noted, Withdrawn } from './fixtures';
import { appendEvents, balances, caughtUp, projectionStore, rows, waitUntil } from './helpers';

@DomainEvent('ProjSpecTick')
class Tick {
  constructor(readonly n: number) {}
}

/** Projections that only remember what they saw (three of them share pages of `$all`). */
abstract class TickCounter {
  readonly seen: number[] = [];

  @Handles(Tick)
  tick(e: Tick, { event }: ProjectionContext): void {
    expect(event.eventType).to.equal('ProjSpecTick');
    this.seen.push(e.n);
  }
}

@Projection('spec-ticks-a', { batchSize: 100 })
class TicksA extends TickCounter {}

@Projection('spec-ticks-b', { batchSize: 100 })
class TicksB extends TickCounter {}

@Projection('spec-ticks-c', { batchSize: 100 })
class TicksC extends TickCounter {}

@Projection('spec-ticks-current', { startFrom: 'current' })
class TicksFromNow extends TickCounter {}

describe('projections: the runner', () => {
  let store: EventStore;
  const runners: ProjectionRunner[] = [];

  before(async () => {
    store = await projectionStore('proj_runner');
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });
  after(() => disposeStore(store));

  function run(...args: Parameters<EventStore['projections']>): ProjectionRunner {
    const runner = store.projections(...args);
    runners.push(runner);
    return runner;
  }

  it('applies handled events to MikroORM read models, its checkpoint being the subscription row projection:<name>', async () => {
    await appendEvents(store, 'acc-1', [new AccountOpened('acc-1', 'Ada', 100), new Deposited('acc-1', 50), new Withdrawn('acc-1', 30)]);
    await appendEvents(store, 'acc-2', [new AccountOpened('acc-2', 'Bob', 10), new Deposited('acc-2', 5)]);
    const runner = run([AccountBalances]);
    expect(runner.names).to.deep.equal(['spec-account-balances']);
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');

    expect(await balances(store.schema)).to.deep.equal([
      { account_id: 'acc-1', owner: 'Ada', balance: 120, events: 3 },
      { account_id: 'acc-2', owner: 'Bob', balance: 15, events: 2 },
    ]);
    const status = await runner.status('spec-account-balances');
    expect(status).to.include({ name: 'spec-account-balances', state: 'live', checkpoint: 5, lag: 0 });
    expect(status.owner).to.be.a('string');
    const row = await subscriptionRow(store.schema, '$all', 'projection:spec-account-balances');
    expect(row?.last_seen).to.equal(5);
  });

  it('follows new events as they are appended', async () => {
    const runner = run([AccountBalances]);
    await runner.start();
    await appendEvents(store, 'acc-1', [new Deposited('acc-1', 1)]);
    await waitUntil(async () => (await balances(store.schema))[0].balance === 121, 'the deposit is applied');
    await caughtUp(runner, 'spec-account-balances');
  });

  it('skips events it does not handle and events of types without a class, counting them for its checkpoint', async () => {
    const runner = run([AccountBalances]);
    const errors: Error[] = [];
    runner.on('error', (error) => errors.push(error));
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');
    await appendEvents(store, 'notes', [new Noted('hello')]);
    await store.appendToStream('raw', ExpectedVersion.Any, events(3, 'ProjSpecNoClassForThis'));
    const last = (await store.readAllBackward(-1, 1))[0].position;
    await waitUntil(async () => (await runner.status('spec-account-balances')).checkpoint === last, 'the checkpoint reaches the end');
    expect(errors).to.deep.equal([]);
    expect((await balances(store.schema)).map((b) => b.balance)).to.deep.equal([121, 15]);
  });

  it('resumes after its checkpoint when started again, applying nothing twice', async () => {
    const first = run([new AppliedLog({ appliedBy: 'first' })]);
    await first.start();
    await appendEvents(store, 'acc-1', [new Deposited('acc-1', 1), new Deposited('acc-1', 2)]);
    await caughtUp(first, 'spec-applied-log');
    await first.stop();
    expect((await first.status('spec-applied-log')).state).to.equal('stopped');

    await appendEvents(store, 'acc-2', [new Withdrawn('acc-2', 1), new Deposited('acc-2', 2)]);
    expect(await first.lag('spec-applied-log')).to.equal(2);
    const second = run([new AppliedLog({ appliedBy: 'second' })]);
    await second.start();
    await caughtUp(second, 'spec-applied-log');
    const applied = await rows<{ position: string; applied_by: string }>(store.schema, 'proj_applied_events', 'position');
    const deposits = (await store.readAllForward()).filter((e) => e.eventType === 'ProjSpecDeposited' || e.eventType === 'ProjSpecWithdrawn');
    expect(applied.map((r) => Number(r.position))).to.deep.equal(deposits.map((e) => e.position));
    // Instances carry their dependencies: each event was applied by the runner that owned it then.
    expect(applied.slice(-2).map((r) => r.applied_by)).to.deep.equal(['second', 'second']);
    expect(new Set(applied.slice(0, -2).map((r) => r.applied_by))).to.deep.equal(new Set(['first']));
  });

  it('reads each page of $all once for projections at the same checkpoint, of their types only', async () => {
    const reads: Array<{ start: number; found: number; types: readonly string[] | undefined }> = [];
    const stop = await observeReads(store, 'readAllFiltered', ([start, count, filter], page) => {
      if (count === 100) reads.push({ start, found: page.events.length, types: filter.eventTypes });
    });
    try {
      await appendEvents(store, 'ticks', Array.from({ length: 250 }, (_, i) => new Tick(i)));
      const projections = [new TicksA(), new TicksB(), new TicksC()];
      const runner = run(projections);
      await runner.start();
      for (const name of runner.names) await caughtUp(runner, name);
      for (const projection of projections) expect(projection.seen).to.deep.equal(Array.from({ length: 250 }, (_, i) => i));
      const pages = reads.filter((read) => read.found > 0);
      // Pages of 100 Ticks up to the end: each read once, whichever projection asked first.
      expect(pages.map((read) => read.found)).to.deep.equal([100, 100, 50]);
      expect(new Set(pages.map((read) => read.start)).size).to.equal(3);
      expect(pages.every((read) => JSON.stringify(read.types) === JSON.stringify(['ProjSpecTick']))).to.equal(true);
    } finally {
      stop();
    }
  });

  it("starts from the end of $all with startFrom: 'current'", async () => {
    await appendEvents(store, 'ticks', [new Tick(1000)]);
    const projection = new TicksFromNow();
    const runner = run([projection]);
    await runner.start();
    await caughtUp(runner, 'spec-ticks-current');
    await appendEvents(store, 'ticks', [new Tick(1001)]);
    await waitUntil(() => projection.seen.length === 1, 'the new tick arrived');
    expect(projection.seen).to.deep.equal([1001]);
  });

  it('reports state changes', async () => {
    const runner = run([AccountBalances]);
    const states: string[] = [];
    runner.on('state', (name, state) => states.push(`${name}:${state}`));
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');
    await runner.stop();
    expect(states[0]).to.equal('spec-account-balances:starting');
    expect(states).to.include('spec-account-balances:live');
    expect(states[states.length - 1]).to.equal('spec-account-balances:stopped');
  });

  it('runs a projection in one runner per store', async () => {
    const runner = run([AccountBalances]);
    await runner.start();
    const other = run([new AccountBalances()]);
    const error = await caught(other.start());
    expect(error).to.be.instanceOf(SubscriptionAlreadyExistsError);
    expect(error.subscriptionName).to.equal('projection:spec-account-balances');
    expect((await runner.status('spec-account-balances')).state).to.not.equal('stopped');
    await runner.stop();
    await other.start();
    await caughtUp(other, 'spec-account-balances');
  });

  it('stops when its subscription row is deleted, applying nothing more', async () => {
    const errors: Error[] = [];
    const runner = run([new AppliedLog()], { takeoverIntervalMs: 10, onError: (error) => errors.push(error) });
    await runner.start();
    await caughtUp(runner, 'spec-applied-log');
    const applied = (await rows(store.schema, 'proj_applied_events', 'position')).length;
    await store.deleteSubscription('$all', 'projection:spec-applied-log');
    await appendEvents(store, 'acc-1', [new Deposited('acc-1', 9)]);
    await waitUntil(async () => (await runner.status('spec-applied-log')).state === 'stopped', 'the projection stopped');
    expect(errors.map((e) => e.constructor.name)).to.include('SubscriptionNotFoundError');
    expect(await rows(store.schema, 'proj_applied_events', 'position')).to.have.length(applied);
  });

  it('is stopped by store.close()', async () => {
    const own = await projectionStore('proj_close');
    try {
      const runner = own.projections([AccountBalances]);
      await runner.start();
      await caughtUp(runner, 'spec-account-balances');
      await own.close();
      expect((await subscriptionRow(own.schema, '$all', 'projection:spec-account-balances'))?.owner).to.equal(null);
      expect(() => own.projections([AccountBalances])).to.throw(StoreClosedError);
    } finally {
      await disposeStore(own);
    }
  });

  describe('bad input', () => {
    it('refuses what is not a non-empty array of @Projection classes or instances, naming it', () => {
      expect(() => store.projections([])).to.throw(InvalidArgumentError, /projections/);
      expect(() => store.projections('AccountBalances' as never)).to.throw(InvalidArgumentError, /projections/);
      expect(() => store.projections([42 as never])).to.throw(InvalidArgumentError, /projections\[0\]/);
      class NotAProjection {}
      expect(() => store.projections([NotAProjection])).to.throw(ProjectionNotRegisteredError, /NotAProjection/);
      expect(() => store.projections([new NotAProjection()])).to.throw(ProjectionNotRegisteredError);
      const error = (() => {
        try {
          store.projections([AccountBalances, new AccountBalances()]);
        } catch (e) {
          return e as DuplicateProjectionError;
        }
      })();
      expect(error).to.be.instanceOf(DuplicateProjectionError);
      expect(error?.code).to.equal('duplicate_projection');
    });

    it('refuses bad runner options', () => {
      expect(() => store.projections([AccountBalances], { retryDelayMs: 0 })).to.throw(InvalidArgumentError, /retryDelayMs/);
      expect(() => store.projections([AccountBalances], { retryDelayMs: 10, maxRetryDelayMs: 5 })).to.throw(InvalidArgumentError, /maxRetryDelayMs/);
      expect(() => store.projections([AccountBalances], { takeoverIntervalMs: -1 })).to.throw(InvalidArgumentError, /takeoverIntervalMs/);
      expect(() => store.projections([AccountBalances], { onError: 'log' as never })).to.throw(InvalidArgumentError, /onError/);
      expect(() => store.projections([AccountBalances], 'fast' as never)).to.throw(InvalidArgumentError, /options/);
    });

    it('answers ProjectionNotFoundError for names it does not run, and checks rebuild options', async () => {
      const runner = run([AccountBalances]);
      const error = await caught(runner.status('nope'));
      expect(error).to.be.instanceOf(ProjectionNotFoundError);
      expect(error.code).to.equal('projection_not_found');
      expect(error.message).to.include('spec-account-balances');
      expect(await caught(runner.lag(7 as never))).to.be.instanceOf(InvalidArgumentError);
      expect(await caught(runner.rebuild('nope'))).to.be.instanceOf(ProjectionNotFoundError);
      expect(await caught(runner.rebuild('spec-account-balances', { onProgress: 1 as never }))).to.be.instanceOf(InvalidArgumentError);
      expect(await caught(runner.rebuild('spec-account-balances', { ownershipTimeoutMs: -5 }))).to.be.instanceOf(InvalidArgumentError);
      expect((await runner.status('spec-account-balances')).state).to.equal('stopped');
    });
  });
});
