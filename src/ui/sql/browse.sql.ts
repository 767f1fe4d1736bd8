/**
 * The read-only SQL of the event browser: what the store's public API does
 * not answer (subscriptions with their lag and owner, events by id or
 * correlation, parked events of every projection). Nothing here writes.
 */
import { eventsAfterSql } from '../../projections/sql/projections.sql';
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';
import { lastPositionSql } from '../../repositories/sql/sequencer.sql';
import { ALL_STREAM } from '../../protocol';

/** The table the projections' parked (set aside) events are kept in. */
export const PARKED_EVENTS_TABLE = 'parked_events';

export function browseStatements(s: SchemaSql) {
  return {
    /** Counts shown in the header: live and deleted streams, events, the last `$all` position. */
    overview: {
      text: `select (select count(*) from ${s.t('streams')} where deleted_at is null)::int as live_streams,
                    (select count(*) from ${s.t('streams')} where deleted_at is not null)::int as deleted_streams,
                    (select count(*) from ${s.t('events')})::bigint as events,
                    (${lastPositionSql(s)})::bigint as last_position`,
    } satisfies Statement,

    /**
     * Every persistent subscription (projections among them) with its lag:
     * `$all` events after the checkpoint, or a stream's version minus it.
     * The whole row comes along as JSON, so columns added by later versions
     * of the store (a failed state, an error) reach the page without a
     * change here.
     */
    subscriptions: {
      text: `select sub.stream_id, sub.name, sub.last_seen::bigint as last_seen,
                    case when sub.stream_id = '${ALL_STREAM}' then ${eventsAfterSql(s, 'sub.last_seen')}
                         else coalesce(st.version, 0) - sub.last_seen end::bigint as lag,
                    to_jsonb(sub) as row
             from ${s.t('subscriptions')} sub
             left join ${s.t('streams')} st on st.stream_id = sub.stream_id
             order by sub.stream_id <> '${ALL_STREAM}', sub.stream_id, sub.name`,
    } satisfies Statement,

    /** `$1` event id: its `$all` position (none until the sequencer numbered it). */
    positionOfEvent: {
      text: `select ${positionOf(s, 'e')} as position from ${s.t('events')} e where e.event_id = $1`,
    } satisfies Statement,

    /** `$1` correlation id, `$2` the most to return: `$all` positions of the events it correlates, in order. */
    correlated: {
      text: `select p.position from (select ${positionOf(s, 'e')} as position from ${s.t('events')} e
                                     where e.correlation_id = $1) p
             where p.position is not null order by p.position limit $2`,
    } satisfies Statement,

    /** Up to `$1` parked events of every projection, by projection and `$all` position (the stack stays out of the list). */
    parkedEvents: {
      text: `select projection, position::bigint as position, event_id, stream_id, stream_version::bigint as stream_version,
                    event_type, error, error_code, attempts, parked_at
             from ${s.t(PARKED_EVENTS_TABLE)} order by projection, position limit $1`,
    } satisfies Statement,
  };
}

/** The `$all` position of event row `e` (an SQL expression; null while not sequenced): its append's range. */
function positionOf(s: SchemaSql, e: string): string {
  return `(select case when ${e}.stream_version < r.first_version + r.count
                       then r.first_position + (${e}.stream_version - r.first_version) end
           from ${s.t('all_positions')} r
           where r.stream_ref = ${e}.stream_ref and r.first_version <= ${e}.stream_version
           order by r.first_version desc limit 1)::bigint`;
}

export type BrowseStatements = ReturnType<typeof browseStatements>;
