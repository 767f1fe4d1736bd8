/**
 * The browser's read-only queries through its own small `pg` pool: counts,
 * persistent subscriptions and projections with their lag, events by id or
 * correlation, and the parked events of projections.
 */
import { Pool } from 'pg';
import { subscriptionNameOf } from '../projections/projection-definition';
import { SchemaSql } from '../repositories/sql/naming';
import { ALL_STREAM } from '../protocol';
import { browseStatements, BrowseStatements } from './sql/browse.sql';

/** PostgreSQL's code for a table that does not exist. */
const UNDEFINED_TABLE = '42P01';

/** The prefix of the subscription rows that hold projections' checkpoints. */
const PROJECTION_PREFIX = subscriptionNameOf('');

export interface Overview {
  liveStreams: number;
  deletedStreams: number;
  events: number;
  lastPosition: number;
}

export interface SubscriptionRow {
  kind: 'projection' | 'subscription';
  /** The projection's name, or the subscription's. */
  name: string;
  /** `$all` or the stream followed. */
  streamId: string;
  checkpoint: number;
  lag: number;
  owner: string | null;
  ownedSince: string | null;
  /** running (an owner delivers it), stopped, or a state the store records (e.g. failed). */
  state: string;
  /** The failure the store recorded, when it records one. */
  error: string | null;
}

/** A parked event as the page lists it. */
export interface ParkedEventRow {
  projection: string;
  position: number;
  eventType: string;
  streamId: string;
  streamVersion: number;
  eventId: string;
  /** The last failure's message, and its code when it had one. */
  error: string;
  errorCode: string | null;
  /** Failed attempts so far. */
  attempts: number;
  parkedAt: string;
}

export class StatusReader {
  private readonly sql: BrowseStatements;

  constructor(private readonly pool: Pool, readonly schema: string) {
    this.sql = browseStatements(new SchemaSql(schema));
  }

  async overview(): Promise<Overview> {
    const { rows: [row] } = await this.pool.query(this.sql.overview.text);
    return { liveStreams: row.live_streams, deletedStreams: row.deleted_streams, events: Number(row.events), lastPosition: Number(row.last_position) };
  }

  async subscriptions(): Promise<SubscriptionRow[]> {
    const { rows } = await this.pool.query(this.sql.subscriptions.text);
    return rows.map((row) => {
      const raw = row.row as Record<string, unknown>;
      const isProjection = row.stream_id === ALL_STREAM && String(row.name).startsWith(PROJECTION_PREFIX);
      const owner = typeof raw.owner === 'string' ? raw.owner : null;
      return {
        kind: isProjection ? 'projection' : 'subscription',
        name: isProjection ? String(row.name).slice(PROJECTION_PREFIX.length) : String(row.name),
        streamId: row.stream_id,
        checkpoint: Number(row.last_seen),
        lag: Math.max(0, Number(row.lag)),
        owner,
        ownedSince: typeof raw.owned_since === 'string' ? raw.owned_since : null,
        state: recordedState(raw) ?? (owner !== null ? 'running' : 'stopped'),
        error: recordedError(raw),
      };
    });
  }

  /** The `$all` position of an event id; null when unknown or not numbered yet. */
  async positionOfEvent(eventId: string): Promise<number | null> {
    const { rows } = await this.pool.query(this.sql.positionOfEvent.text, [eventId]);
    return rows.length === 0 || rows[0].position === null ? null : Number(rows[0].position);
  }

  async correlatedPositions(correlationId: string, limit: number): Promise<number[]> {
    const { rows } = await this.pool.query(this.sql.correlated.text, [correlationId, limit]);
    return rows.map((row) => Number(row.position));
  }

  /**
   * Up to `limit` parked events, oldest position first within each
   * projection; null when the schema has no parked-events table yet (a store
   * created before parking and not migrated since).
   */
  async parkedEvents(limit: number): Promise<ParkedEventRow[] | null> {
    try {
      const { rows } = await this.pool.query(this.sql.parkedEvents.text, [limit]);
      return rows.map((row) => ({
        projection: row.projection,
        position: Number(row.position),
        eventType: row.event_type,
        streamId: row.stream_id,
        streamVersion: Number(row.stream_version),
        eventId: row.event_id,
        error: row.error,
        errorCode: row.error_code,
        attempts: row.attempts,
        parkedAt: new Date(row.parked_at).toISOString(),
      }));
    } catch (error) {
      if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return null;
      throw error;
    }
  }
}

/** A state column a later store version may record (`state`, or a `failed_at` time). */
function recordedState(raw: Record<string, unknown>): string | null {
  if (typeof raw.state === 'string' && raw.state !== '') return raw.state;
  if (raw.failed_at !== undefined && raw.failed_at !== null) return 'failed';
  return null;
}

function recordedError(raw: Record<string, unknown>): string | null {
  for (const key of ['failure_message', 'error', 'last_error', 'failure']) {
    if (typeof raw[key] === 'string' && raw[key] !== '') return raw[key] as string;
  }
  return null;
}
