/** Read-only SQL of the command line tool: is there a store, which migrations, how big, how far behind. */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';
import { sequencerStatements } from '../../repositories/sql/sequencer.sql';
import { eventsAfterSql } from '../../projections/sql/projections.sql';
import { BOOKKEEPING_TABLE } from '../store-layout';

/** $1 schema name. */
export const schemaPresence: Statement = {
  text: `select exists (select 1 from pg_namespace where nspname = $1) as schema_exists,
                to_regclass(format('%I.%I', $1::text, '${BOOKKEEPING_TABLE}')) is not null as has_bookkeeping`,
};

export function inspectStatements(s: SchemaSql) {
  const lastPosition = sequencerStatements(s).lastPosition.text;
  return {
    /** Names of the migrations recorded in the schema, in the order they ran. */
    executedMigrations: {
      text: `select name from ${s.t(BOOKKEEPING_TABLE)} order by id`,
    } satisfies Statement,

    /** Streams (live / soft-deleted), events, and the last `$all` position. */
    counts: {
      text: `select (select count(*) from ${s.t('streams')} where deleted_at is null) as live_streams,
                    (select count(*) from ${s.t('streams')} where deleted_at is not null) as soft_deleted_streams,
                    (select count(*) from ${s.t('events')}) as events,
                    (${lastPosition}) as last_position`,
    } satisfies Statement,

    /**
     * Persistent subscriptions (projections among them) with their lag:
     * for `$all` ($1) the events after the checkpoint (hard-deleted ranges
     * do not count), for a stream its version minus the checkpoint. The
     * owner and failure columns are read through `to_jsonb` so that a store
     * whose migrations adding them are still pending reports null.
     */
    subscriptions: {
      text: `select sub.stream_id, sub.name, sub.last_seen,
                    case when sub.stream_id = $1 then ${eventsAfterSql(s, 'sub.last_seen')}
                         else coalesce(st.version, 0) - sub.last_seen end as lag,
                    to_jsonb(sub) ->> 'owner' as owner,
                    (to_jsonb(sub) ->> 'owned_since')::timestamptz as owned_since,
                    (to_jsonb(sub) ->> 'failed_at')::timestamptz as failed_at,
                    to_jsonb(sub) ->> 'failure_message' as failure_message,
                    to_jsonb(sub) ->> 'failure_code' as failure_code,
                    (to_jsonb(sub) ->> 'failed_position')::bigint as failed_position
             from ${s.t('subscriptions')} sub
             left join ${s.t('streams')} st on st.stream_id = sub.stream_id
             order by sub.stream_id <> $1, sub.stream_id, sub.name`,
    } satisfies Statement,

    /** Whether the parked events table exists (its migration may be pending). */
    hasParkedEvents: {
      text: `select to_regclass('${s.t('parked_events')}') is not null as present`,
    } satisfies Statement,

    /** Parked events per projection name. */
    parkedCounts: {
      text: `select projection, count(*) as parked from ${s.t('parked_events')} group by projection`,
    } satisfies Statement,
  };
}
