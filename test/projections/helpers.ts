/** Helpers of the projection specs: stores with read models, domain appends, waits. */
import { EventSerializer, EventStore, EventStoreConnectOptions, ExpectedVersion, ProjectionRunner, ProjectionState } from '../../src';
import { connectStore, withClient } from '../support/stores';
import { waitUntil } from '../subscriptions/helpers';
import { READ_MODEL_ENTITIES, createReadModel } from './fixtures';

export { sleep, waitUntil } from '../subscriptions/helpers';

/** A store in a fresh schema with the read-model entities registered and their tables created. */
export async function projectionStore(prefix: string, options: Omit<EventStoreConnectOptions, 'clientUrl' | 'entities'> = {}, entities: unknown[] = []): Promise<EventStore> {
  const store = await connectStore(prefix, { entities: [...READ_MODEL_ENTITIES, ...entities] as never, ...options });
  await createReadModel(store);
  return store;
}

const serializer = new EventSerializer();

/** Appends domain events (instances of @DomainEvent classes) to a stream. */
export async function appendEvents(store: EventStore, streamId: string, events: object[]): Promise<void> {
  await store.appendToStream(streamId, ExpectedVersion.Any, serializer.serializeAll(events));
}

/** Waits until the projection is live with no lag. */
export async function caughtUp(runner: ProjectionRunner, name: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(async () => {
    const status = await runner.status(name);
    return status.state === 'live' && status.lag === 0;
  }, `${name} is live and caught up`, timeoutMs);
}

export async function waitForProjectionState(runner: ProjectionRunner, name: string, state: ProjectionState, timeoutMs = 10_000): Promise<void> {
  await waitUntil(async () => (await runner.status(name)).state === state, `${name} is ${state}`, timeoutMs);
}

/** Rows of a table of the store's schema, ordered by `orderBy`. */
export async function rows<T = Record<string, unknown>>(schema: string, table: string, orderBy: string): Promise<T[]> {
  return withClient(async (client) => (await client.query(`select * from "${schema}".${table} order by ${orderBy}`)).rows as T[]);
}

export async function balances(schema: string): Promise<Array<{ account_id: string; owner: string; balance: number; events: number }>> {
  return rows(schema, 'proj_account_balances', 'account_id');
}

/** A gate a handler can wait at until the test opens it. */
export class Gate {
  private opened!: () => void;
  readonly open: Promise<void> = new Promise((resolve) => (this.opened = resolve));
  reached = false;

  async pass(): Promise<void> {
    this.reached = true;
    await this.open;
  }

  release(): void {
    this.opened();
  }
}

/** The balances the events of `$all` lead to, computed without projections. */
export async function expectedBalances(store: EventStore): Promise<Array<{ account_id: string; owner: string; balance: number; events: number }>> {
  const accounts = new Map<string, { account_id: string; owner: string; balance: number; events: number }>();
  for await (const event of store.streamAllForward()) {
    const data = event.data as { accountId: string; owner: string; balance: number; amount: number };
    if (event.eventType === 'ProjSpecAccountOpened') accounts.set(data.accountId, { account_id: data.accountId, owner: data.owner, balance: data.balance, events: 1 });
    const account = accounts.get(data.accountId);
    if (!account) continue;
    if (event.eventType === 'ProjSpecDeposited') Object.assign(account, { balance: account.balance + data.amount, events: account.events + 1 });
    if (event.eventType === 'ProjSpecWithdrawn') Object.assign(account, { balance: account.balance - data.amount, events: account.events + 1 });
  }
  return [...accounts.values()].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
}
