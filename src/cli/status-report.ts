/** What `status` reports about a store: migrations, sizes, `$all` and each persistent subscription's lag. */
import type { Client } from 'pg';
import { SchemaSql } from '../repositories/sql/naming';
import { subscriptionNameOf } from '../projections/projection-definition';
import { ALL_STREAM } from '../protocol';
import { inspectStatements } from './sql/inspect.sql';
import type { StoreState } from './store-state';

export interface SubscriptionStatus {
  /** `$all` or the stream the subscription follows. */
  streamId: string;
  name: string;
  /** The last acknowledged position (`$all`) or stream version; 0 before the first. */
  checkpoint: number;
  /** Events after the checkpoint: last position (or stream version) minus `checkpoint`. */
  lag: number;
  /** The process delivering it now (`host:pid:store`), or null when none does. */
  owner: string | null;
  /** When that owner took over, or null. */
  ownedSince: Date | null;
  /** Why a projection stopped in the `failed` state, stored by whichever process ran it; null when it has not failed. */
  failure: SubscriptionFailure | null;
  /** Events a projection (`projection:<name>` on `$all`) parked and that are not replayed yet; 0 for other subscriptions. */
  parked: number;
}

export interface SubscriptionFailure {
  message: string;
  code: string | null;
  /** The `$all` position of the event it failed at. */
  position: number;
  failedAt: Date;
}

export interface StatusReport {
  schema: string;
  migrations: { applied: string[]; pending: string[] };
  streams: { live: number; softDeleted: number };
  events: number;
  /** The last `$all` position given out; 0 when empty. */
  lastPosition: number;
  subscriptions: SubscriptionStatus[];
}

/** Reads the report of a schema that holds a store (`state.hasStore`). */
export async function collectStatus(client: Client, state: StoreState): Promise<StatusReport> {
  const sql = inspectStatements(new SchemaSql(state.schema));
  const { rows: [counts] } = await client.query(sql.counts.text);
  const { rows: subscriptions } = await client.query(sql.subscriptions.text, [ALL_STREAM]);
  const parked = await parkedCounts(client, sql);
  return {
    schema: state.schema,
    migrations: { applied: state.applied, pending: state.pending },
    streams: { live: Number(counts.live_streams), softDeleted: Number(counts.soft_deleted_streams) },
    events: Number(counts.events),
    lastPosition: Number(counts.last_position),
    subscriptions: subscriptions.map((row) => ({
      streamId: row.stream_id as string,
      name: row.name as string,
      checkpoint: Number(row.last_seen),
      lag: Number(row.lag),
      owner: (row.owner as string | null) ?? null,
      ownedSince: (row.owned_since as Date | null) ?? null,
      failure: row.failed_at
        ? { message: row.failure_message ?? '', code: row.failure_code ?? null, position: Number(row.failed_position), failedAt: row.failed_at as Date }
        : null,
      parked: row.stream_id === ALL_STREAM ? (parked.get(row.name as string) ?? 0) : 0,
    })),
  };
}

/** Parked events per projection subscription name (`projection:<name>`). */
async function parkedCounts(client: Client, sql: ReturnType<typeof inspectStatements>): Promise<Map<string, number>> {
  const { rows: [{ present }] } = await client.query(sql.hasParkedEvents.text);
  if (!present) return new Map();
  const { rows } = await client.query(sql.parkedCounts.text);
  return new Map(rows.map((row) => [subscriptionNameOf(row.projection as string), Number(row.parked)]));
}
