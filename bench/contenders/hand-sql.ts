/**
 * The ceiling for this library's layout: a plain `pg` Pool that calls the
 * library's server-side functions and runs its read SQL, written out by hand
 * (hand-sql.sql.ts). The difference to the `library` contender is the cost
 * of the library's own layers (validation, MikroORM/knex connection
 * handling, row mapping, the domain layer). Subscriptions are a LISTEN plus
 * reads per subscriber (hand-sql-subscriptions.ts); aggregates are a stream
 * read folded by hand and an append at the version read; the balances
 * projection is a read-and-upsert loop (hand-sql-balances.ts).
 */
import { Pool, PoolClient } from 'pg';
import { EventStore } from '../../src';
import { BenchEvent, makeEvents } from '../fixtures';
import { ACCOUNT_EVENT_METADATA, accountStream, AccountState, creditAccount, initialAccount } from './account';
import type { BalanceTotals, RunningRebuild } from './balances';
import { AllPage, BenchSubscription, Contender, EventIdentity, SubscriptionSpec, VersionConflict } from './contender';
import { eventColumns } from './event-columns';
import { HandBalances } from './hand-sql-balances';
import { HandSubscriptions } from './hand-sql-subscriptions';
import { ALL_FORWARD, APPEND, PAGE, RECORDED, RECORDED_COUNT, SEQUENCE, STREAM_FORWARD, STREAM_ROW, TYPES, WINDOW_ROW } from './hand-sql.sql';

type Row = unknown[];

export class HandSqlContender implements Contender {
  private pool?: Pool;
  private subscriptions?: HandSubscriptions;
  private balances?: HandBalances;

  async open(url: string, poolSize: number): Promise<void> {
    // The library's migrations create the schema; the store is closed again at once.
    await (await EventStore.connect({ clientUrl: url, sequencerIntervalMs: 0 })).close();
    this.pool = new Pool({ connectionString: url, max: poolSize });
    this.subscriptions = new HandSubscriptions(this.pool, url, (after, count) => this.readAll(after, count));
    this.balances = new HandBalances(this.pool, readAllForward);
  }

  async close(): Promise<void> {
    await this.subscriptions?.close();
    await this.pool?.end();
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    const { ids, eventTypes, data, metadata, nulls } = eventColumns(events);
    const { rows } = await this.pool!.query({
      ...APPEND, values: [streamId, expectedVersion, ids, eventTypes, data, metadata, nulls, nulls], types: TYPES,
    });
    const row = rows[0];
    if (row.status !== 0) throw new VersionConflict(new Error(`es_append status ${row.status}`));
    // The sequencer was busy: number the events before returning, as the library does (G3).
    if (row.last_position === null) await this.pool!.query({ ...SEQUENCE, values: [row.tx], types: TYPES });
  }

  async readStream(streamId: string): Promise<unknown[]> {
    return this.streamPage(streamId, 1);
  }

  readAll(after: number, count: number): Promise<AllPage> {
    return readAllForward(this.pool!, after, count);
  }

  /** Events are read rows as they come (stream page or `$all` window): the recorded columns are their last ones. */
  identify(event: unknown): EventIdentity {
    const row = event as Row;
    const at = row.length - RECORDED_COUNT;
    return { eventId: row[at + RECORDED.eventId] as string, streamId: row[at + RECORDED.streamId] as string, version: row[at + RECORDED.streamVersion] as number };
  }

  subscribeToAll(specs: SubscriptionSpec[]): Promise<BenchSubscription> {
    return this.subscriptions!.subscribe(specs);
  }

  async seedAggregate(id: string, events: number): Promise<void> {
    await this.append(accountStream(id), 0, accountEvents(events));
  }

  async loadAggregate(id: string): Promise<number> {
    return (await this.foldAccount(id)).version;
  }

  async updateAggregate(id: string): Promise<number> {
    const state = await this.foldAccount(id);
    await this.append(accountStream(id), state.version, accountEvents(1));
    return state.version + 1;
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

  /** The account's stream read page by page and folded into its state. */
  private async foldAccount(id: string): Promise<AccountState> {
    let state = initialAccount();
    for (;;) {
      const rows = await this.streamPage(accountStream(id), state.version + 1);
      for (const row of rows) {
        const data = row[STREAM_ROW.at + RECORDED.data] as { amount: number };
        state = creditAccount(state, data.amount);
      }
      if (rows.length < PAGE) return state;
    }
  }

  /** The stream's rows from `from` (none when the stream has no events there); throws for an unknown stream. */
  private async streamPage(streamId: string, from: number): Promise<Row[]> {
    const { rows } = await this.pool!.query<Row>({ ...STREAM_FORWARD, values: [streamId, from], types: TYPES });
    if (rows.length === 0) throw new Error(`stream ${streamId} not found`);
    if (rows[0][STREAM_ROW.deletedAt] !== null) throw new Error(`stream ${streamId} is deleted`);
    return rows[0][STREAM_ROW.at + RECORDED.eventId] === null ? [] : rows;
  }
}

/** `$all` after `after`, up to `count` events, through `db` (the pool, or a client held for a loop): window by window. */
export async function readAllForward(db: Pool | PoolClient, after: number, count: number): Promise<AllPage> {
  const events: Row[] = [];
  let low = after + 1;
  for (;;) {
    const high = low + (count - events.length) - 1;
    const { rows } = await db.query<Row>({ ...ALL_FORWARD, values: [low, high], types: TYPES });
    for (const row of rows) if (row[WINDOW_ROW.at + RECORDED.eventId] !== null) events.push(row);
    const next = (rows[0]?.[WINDOW_ROW.nextPosition] ?? null) as number | null;
    if (events.length >= count || next === null) break;
    low = next;
  }
  return { events, next: events.length > 0 ? (events[events.length - 1][WINDOW_ROW.at + RECORDED.position] as number) : after };
}

/** The account's events as the library's domain layer stores them (uuid v7 ids, as the library generates them). */
function accountEvents(count: number): BenchEvent[] {
  return makeEvents(count, 'v7').map((e) => ({ ...e, metadata: ACCOUNT_EVENT_METADATA }));
}
