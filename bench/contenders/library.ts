/** This library, through its public API only. */
import {
  AggregateRepository,
  EventStore,
  ProjectionRunner,
  RebuildInterruptedError,
  RecordedEvent,
  StreamExistsError,
  Subscription,
  SubscriptionState,
  WrongExpectedVersionError,
} from '../../src';
import { BenchEvent, EVENT_METADATA } from '../fixtures';
import { BALANCE_TOTALS, BalanceTotals, CREATE_BALANCES, RunningRebuild } from './balances';
import { AllPage, BalancesProjection, BenchSubscription, Contender, EventIdentity, SubscriptionSpec, VersionConflict } from './contender';
import { BenchAccount } from './library-account';
import { BALANCES_PROJECTIONS, BenchBalance } from './library-balances';

const ALL = '$all';
const LIVE_TIMEOUT_MS = 10_000;

export class LibraryContender implements Contender {
  private store?: EventStore;
  private accounts?: AggregateRepository<BenchAccount>;
  private balances?: ProjectionRunner;

  /** `schema`: the store's schema when not the default one (the growth bench's test). */
  async open(url: string, poolSize: number, schema?: string): Promise<void> {
    // The balances' entity joins the store's MikroORM, as an application's read-model entities do.
    this.store = await EventStore.connect({ clientUrl: url, schema, entities: [BenchBalance], mikroOrm: { pool: { min: 0, max: poolSize } } });
    this.accounts = this.store.aggregateRepository(BenchAccount);
  }

  async close(): Promise<void> {
    await this.balances?.stop();
    await this.store?.close();
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    try {
      await this.store!.appendToStream(streamId, expectedVersion, events);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || error instanceof StreamExistsError) throw new VersionConflict(error);
      throw error;
    }
  }

  readStream(streamId: string): Promise<unknown[]> {
    return this.store!.readStreamForward(streamId);
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const events = await this.store!.readAllForward(after + 1, count);
    return { events, next: events.length > 0 ? events[events.length - 1].position : after };
  }

  identify(event: unknown): EventIdentity {
    const e = event as RecordedEvent;
    return { eventId: e.eventId, streamId: e.streamId, version: e.streamVersion };
  }

  /** `subscribeToAllStreams` from the current end; each handler acknowledges its batch, as users write it. */
  async subscribeToAll(specs: SubscriptionSpec[]): Promise<BenchSubscription> {
    const store = this.store!;
    const subscriptions = await Promise.all(specs.map(async (spec) => {
      const subscription = await store.subscribeToAllStreams(spec.name, async (events, sub) => {
        spec.onEvents(events);
        await sub.ack(events);
      }, { startFrom: 'current', checkpointThreshold: spec.checkpointEvery, onError: (error) => spec.onError(error) });
      await untilLive(subscription);
      return subscription;
    }));
    return {
      async stop() {
        await Promise.all(subscriptions.map((s) => s.unsubscribe()));
        // Each repetition subscribes under new names: drop the rows of this one.
        for (const spec of specs) await store.deleteSubscription(ALL, spec.name);
      },
    };
  }

  async seedAggregate(id: string, events: number): Promise<void> {
    const account = this.accounts!.create(id);
    for (let i = 0; i < events; i++) account.credit();
    await this.accounts!.save(account, { metadata: EVENT_METADATA });
  }

  async loadAggregate(id: string): Promise<number> {
    return (await this.accounts!.load(id)).version;
  }

  async updateAggregate(id: string): Promise<number> {
    const account = await this.accounts!.load(id);
    account.credit();
    await this.accounts!.save(account, { metadata: EVENT_METADATA });
    return account.version;
  }

  async setUpBalances(): Promise<void> {
    await this.store!.orm.em.getConnection().execute(CREATE_BALANCES);
    this.balances = this.store!.projections(Object.values(BALANCES_PROJECTIONS).map((p) => p.projection));
  }

  /** `runner.rebuild(name)` on a runner that is not started: it resolves once the projection has caught up; `runner.stop()` interrupts it. */
  rebuildBalances(projection: BalancesProjection = 'prepare'): RunningRebuild {
    const runner = this.balances!;
    const committed = { events: 0, batches: 0 };
    const done = runner.rebuild(BALANCES_PROJECTIONS[projection].name, {
      // Called once as the replay begins, then after each committed batch.
      onProgress: (progress) => {
        if (progress.done === committed.events) return;
        committed.events = progress.done;
        committed.batches++;
      },
    }).then(() => ({ ...committed }));
    return {
      done,
      async stop() {
        await runner.stop();
        await done.catch((error: unknown) => {
          if (!(error instanceof RebuildInterruptedError)) throw error;
        });
        return { ...committed };
      },
    };
  }

  async balanceTotals(projection: BalancesProjection = 'prepare'): Promise<BalanceTotals> {
    const [totals] = await this.store!.orm.em.getConnection().execute(BALANCE_TOTALS);
    const { checkpoint, lag } = await this.balances!.status(BALANCES_PROJECTIONS[projection].name);
    return { rows: totals.rows, events: totals.events, amount: totals.amount, checkpoint: checkpoint ?? 0, lag };
  }
}

/** Resolves once the subscription has caught up and waits for new events. */
function untilLive(subscription: Subscription): Promise<void> {
  if (subscription.state === 'live') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.off('state', onState);
      reject(new Error(`subscription ${subscription.name} not live after ${LIVE_TIMEOUT_MS} ms (state ${subscription.state})`));
    }, LIVE_TIMEOUT_MS);
    const onState = (state: SubscriptionState) => {
      if (state !== 'live') return;
      clearTimeout(timer);
      subscription.off('state', onState);
      resolve();
    };
    subscription.on('state', onState);
  });
}
