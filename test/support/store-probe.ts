/**
 * The test hook: what specs observe or break inside a running store that the
 * public API does not show (the statements it runs, its filtered `$all`
 * pages with how far they looked, its session connections, the watch and
 * checkpoint seams projections use). This is the suite's one caller of
 * `EventStore.internals()` (package-internal, not in src/index.ts): when the
 * store's insides change, this file adapts and the specs do not.
 */
import type { EventStore, ReadFilter } from '../../src';
import type { Statement } from '../../src/repositories/sql-runner';
import { resolveFilter } from '../../src/repositories/read-filter';
import type { FilteredPage, StreamReader } from '../../src/repositories/stream-reader';
import type { Standby } from '../../src/replication/standby';
import type { SubscriptionRows } from '../../src/subscriptions/subscription-rows';
import type { Wakeable } from '../../src/subscriptions/wake-hub';

export type { FilteredPage };

export interface SeenStatement {
  name?: string;
  text: string;
  values: unknown[];
}

type Stop = () => void;

/** The parts of a started store: the one call of the package-internal accessor. */
function parts(store: EventStore) {
  return store.internals();
}

/** Calls `listener` with each statement the store runs on its primary's pool, until the returned function is called. */
export async function observeStatements(store: EventStore, listener: (statement: SeenStatement) => void): Promise<Stop> {
  const runner = (await parts(store)).context.runner;
  const original = runner.query;
  runner.query = function (this: typeof runner, statement: Statement, values: unknown[], trx?: never) {
    listener({ name: statement.name, text: statement.text, values });
    return original.call(this, statement, values, trx);
  } as typeof runner.query;
  return () => {
    runner.query = original;
  };
}

/** The statements the store runs on its primary's pool while `fn` runs. */
export async function statementsDuring(store: EventStore, fn: () => Promise<unknown>): Promise<SeenStatement[]> {
  const seen: SeenStatement[] = [];
  const stop = await observeStatements(store, (statement) => seen.push(statement));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}

/** Counts the queries the store sends to its (first) standby, until the returned function is called. */
export async function countStandbyQueries(store: EventStore): Promise<{ readonly count: number; stop: Stop }> {
  const standby: Standby = (await parts(store)).replicas!.router.standbys[0];
  const original = standby.query;
  const counter = { count: 0, stop: () => (standby.query = original) };
  standby.query = function (this: Standby, ...args: Parameters<Standby['query']>) {
    counter.count++;
    return original.apply(this, args);
  } as Standby['query'];
  return counter;
}

type ReaderMethod = 'readStreamForward' | 'readAllFiltered';

/**
 * Calls `listener` with the arguments and result of each call of one of the
 * store's read methods (the reads a stream iterator or a projection makes),
 * until the returned function is called.
 */
export async function observeReads<M extends ReaderMethod>(
  store: EventStore,
  method: M,
  listener: (args: Parameters<StreamReader[M]>, result: Awaited<ReturnType<StreamReader[M]>>) => void,
): Promise<Stop> {
  const reader = (await parts(store)).reader;
  const original = reader[method] as (...args: unknown[]) => Promise<never>;
  reader[method] = async function (this: StreamReader, ...args: unknown[]) {
    const result = await original.apply(this, args);
    listener(args as Parameters<StreamReader[M]>, result);
    return result;
  } as StreamReader[M];
  return () => {
    reader[method] = original as StreamReader[M];
  };
}

/**
 * One filtered `$all` query as subscriptions and projections make it: the
 * matches from `start` on, and how far it looked (`scannedTo`, `more`).
 */
export async function readAllFiltered(store: EventStore, start: number, count: number, filter: ReadFilter): Promise<FilteredPage> {
  return (await parts(store)).reader.readAllFiltered(start, count, resolveFilter(filter)!);
}

/** The server process id of the store's advisory-lock connection (to cut it with pg_terminate_backend). */
export async function lockConnectionPid(store: EventStore): Promise<number | undefined> {
  return (await parts(store)).subscriptions.locks.backendPid();
}

/** The store's LISTEN connection: its server process id, whether it is up, and a stop (no more notifications). */
export async function listenConnection(store: EventStore): Promise<{ backendPid(): Promise<number | undefined>; readonly isConnected: boolean; stop(): Promise<void> }> {
  return (await parts(store)).notifier;
}

/** Wakes `listener` when `$all` (or the stream) may have new events, as a projection runner is woken, until the returned function is called. */
export async function watch(store: EventStore, streamIdOrAll: string, listener: Wakeable): Promise<Stop> {
  return (await parts(store)).subscriptions.watch(streamIdOrAll, listener);
}

/** The store's subscription rows: claims and compare-and-set checkpoints, as projections use them. */
export async function subscriptionRows(store: EventStore): Promise<SubscriptionRows> {
  return (await parts(store)).subscriptions.rows;
}
