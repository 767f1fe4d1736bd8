/**
 * Emmett (@event-driven-io/emmett-postgresql 0.42.0) through its public API:
 * getPostgreSQLEventStore(...).appendToStream / readStream, and its exported
 * readMessagesBatch for the global log (what its consumers use). Our event id
 * travels as `metadata.messageId`, which Emmett stores as the message id.
 * Subscriptions are its consumer and reactors (emmett-subscriptions.ts);
 * aggregates are `aggregateStream` to load and `CommandHandler` to save;
 * the balances projection is a raw SQL projection rebuilt by
 * `rebuildPostgreSQLProjections` (emmett-balances.ts).
 *
 * Importing dumbo installs global pg type parsers, one reason why every
 * contender runs in a process of its own.
 */
import { dumbo, type Dumbo } from '@event-driven-io/dumbo';
import { CommandHandler, isExpectedVersionConflictError } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, readMessagesBatch, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { BenchEvent, EVENT_DATA, EVENT_METADATA, EVENT_TYPE } from '../fixtures';
import { accountStream, AccountState, creditAccount, initialAccount } from './account';
import type { BalanceTotals, RunningRebuild } from './balances';
import { AllPage, BenchSubscription, Contender, EventIdentity, SubscriptionSpec, VersionConflict } from './contender';
import { EmmettBalances } from './emmett-balances';
import { emmettSubscriptions } from './emmett-subscriptions';

/** The consumer's page: the same 1000 events per read as the other contenders (Emmett's default is 100). */
const PULLING = { batchSize: 1000 };

type AccountCredited = { type: typeof EVENT_TYPE; data: typeof EVENT_DATA; metadata?: Record<string, unknown> };

const evolve = (state: AccountState, event: AccountCredited): AccountState => creditAccount(state, event.data.amount);

const handleAccount = CommandHandler<AccountState, AccountCredited>({ evolve, initialState: initialAccount, mapToStreamId: accountStream });

const credited = (): AccountCredited => ({ type: EVENT_TYPE, data: EVENT_DATA, metadata: { ...EVENT_METADATA } });

interface EmmettEvent {
  type: string;
  data: unknown;
  metadata: { messageId: string; streamName: string; streamPosition: bigint; globalPosition: bigint };
}

export class EmmettContender implements Contender {
  private pool?: Pool;
  private db?: Dumbo;
  private store?: PostgresEventStore;
  private balances?: EmmettBalances;

  async open(url: string, poolSize: number): Promise<void> {
    // Every Emmett processor adds SIGTERM and SIGINT listeners (onShutdown) until it closes.
    process.setMaxListeners(0);
    this.pool = new Pool({ connectionString: url, max: poolSize });
    this.db = dumbo({ connectionString: url, pool: this.pool });
    this.store = getPostgreSQLEventStore(url, { connectionOptions: { dumbo: this.db } });
    await this.store.schema.migrate();
    this.balances = new EmmettBalances(this.db, this.pool, url);
  }

  async close(): Promise<void> {
    await this.store?.close();
    await this.pool?.end().catch(() => undefined);
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    const messages = events.map((e) => ({ type: e.eventType, data: e.data, metadata: { ...e.metadata, messageId: e.eventId } }));
    try {
      await this.store!.appendToStream(streamId, messages, {
        // 0n, not STREAM_DOES_NOT_EXIST: in emmett-postgresql 0.42.0 the latter turns the version check off.
        expectedStreamVersion: BigInt(expectedVersion),
      });
    } catch (error) {
      if (isExpectedVersionConflictError(error)) throw new VersionConflict(error);
      throw error;
    }
  }

  async readStream(streamId: string): Promise<unknown[]> {
    return (await this.store!.readStream(streamId)).events;
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const batch = await readMessagesBatch(this.db!.execute, { after: BigInt(after), batchSize: count });
    return { events: batch.messages, next: Number(batch.currentGlobalPosition) };
  }

  identify(event: unknown): EventIdentity {
    const { metadata } = event as EmmettEvent;
    return { eventId: metadata.messageId, streamId: metadata.streamName, version: Number(metadata.streamPosition) };
  }

  subscribeToAll(specs: SubscriptionSpec[]): Promise<BenchSubscription> {
    return emmettSubscriptions(this.store!, this.pool!, specs, PULLING);
  }

  async seedAggregate(id: string, events: number): Promise<void> {
    await this.store!.appendToStream(accountStream(id), Array.from({ length: events }, credited), { expectedStreamVersion: 0n });
  }

  async loadAggregate(id: string): Promise<number> {
    const { state } = await this.store!.aggregateStream<AccountState, AccountCredited>(accountStream(id), { evolve, initialState: initialAccount });
    return state.version;
  }

  /** CommandHandler: aggregateStream, the decision, and an append at the version read. */
  async updateAggregate(id: string): Promise<number> {
    const { newState } = await handleAccount(this.store!, id, () => credited());
    return newState.version;
  }

  setUpBalances(): Promise<void> {
    return this.balances!.setUp();
  }

  rebuildBalances(): RunningRebuild {
    return this.balances!.rebuild();
  }

  balanceTotals(): Promise<BalanceTotals> {
    return this.balances!.totals();
  }
}
