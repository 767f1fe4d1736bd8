/**
 * The SQL of retention: truncation (es_truncate, migrations/Migration20261207110000.ts),
 * per-stream limits, and the retention job's claims and targets.
 */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';

/** Result codes of es_truncate (those of the write functions, plus one). */
export const TruncateStatus = { Ok: 0, StreamNotFound: 3, StreamDeleted: 4, BeyondVersion: 7 } as const;

export interface TruncateRow {
  status: number;
  stream_version: number;
  removed: number;
}

export interface RetentionRow {
  stream_id: string;
  deleted_at: Date | null;
  max_count: number | null;
  max_age_ms: number | null;
  truncated_before: number | null;
}

export interface ClaimedRow {
  stream_ref: number;
}

export interface TargetRow {
  stream_id: string;
  truncated_before: number;
  target: number;
}

export function retentionStatements(s: SchemaSql) {
  const retention = s.t('stream_retention');
  const streams = s.t('streams');
  const events = s.t('events');
  const links = s.t('stream_links');
  const hasLimits = 't.max_count is not null or t.max_age_ms is not null';
  return {
    truncate: {
      name: s.name('truncate'),
      text: `select status, stream_version, removed from ${s.t('es_truncate')}($1, $2)`,
    } satisfies Statement,

    /** `$1` stream id: the stream (no row: unknown) and its retention row's columns (null without one). */
    read: {
      name: s.name('retention_read'),
      text: `select s.stream_id, s.deleted_at, t.max_count, t.max_age_ms, t.truncated_before
             from ${streams} s left join ${retention} t on t.stream_ref = s.id
             where s.stream_id = $1`,
    } satisfies Statement,

    /** `$1` stream id, `$2` max count, `$3` max age (ms); no row: the stream is unknown or soft-deleted. */
    setLimits: {
      name: s.name('retention_set'),
      text: `insert into ${retention} as t (stream_ref, max_count, max_age_ms)
             select s.id, $2, $3 from ${streams} s where s.stream_id = $1 and s.deleted_at is null
             on conflict (stream_ref) do update set max_count = excluded.max_count, max_age_ms = excluded.max_age_ms, checked_at = null
             returning t.stream_ref`,
    } satisfies Statement,

    /** `$1` stream id: its limits cleared (how far it was truncated is kept). */
    removeLimits: {
      name: s.name('retention_remove'),
      text: `update ${retention} t set max_count = null, max_age_ms = null
             from ${streams} s where s.id = t.stream_ref and s.stream_id = $1`,
    } satisfies Statement,

    /**
     * Claims up to `$2` streams with limits not checked since `$1` (the
     * pass's start), least recently checked first. SKIP LOCKED: processes
     * running the job at once take different streams and never wait; the
     * claim commits at once (no lock is held while the streams are trimmed).
     */
    claim: {
      name: s.name('retention_claim'),
      text: `update ${retention} t set checked_at = clock_timestamp()
             where t.stream_ref in (
               select t.stream_ref from ${retention} t
               where (${hasLimits}) and (t.checked_at is null or t.checked_at < $1)
               order by t.checked_at nulls first, t.stream_ref
               limit $2 for update skip locked)
             returning t.stream_ref`,
    } satisfies Statement,

    /** The database's clock, which the claims compare with. */
    now: { name: s.name('retention_now'), text: 'select clock_timestamp() as now' } satisfies Statement,

    /**
     * `$1` stream ref: the version the stream's limits want it to start at.
     * maxCount keeps the last maxCount versions; maxAgeMs keeps the versions
     * from the first one whose event is young enough (removal is of a
     * prefix: an old event after a young one stays). No row: no limits, or
     * the stream is soft-deleted.
     */
    target: {
      name: s.name('retention_target'),
      text: `select s.stream_id, t.truncated_before, greatest(
                 case when t.max_count is null then 1 else s.version - t.max_count + 1 end,
                 case when t.max_age_ms is null then 1 else coalesce(least(
                   (select e.stream_version from ${events} e
                    where e.stream_ref = s.id and e.stream_version >= t.truncated_before
                      and e.created_at >= now() - t.max_age_ms * interval '1 millisecond'
                    order by e.stream_version limit 1),
                   (select l.stream_version from ${links} l join ${events} e on e.event_id = l.event_id
                    where l.stream_ref = s.id and l.stream_version >= t.truncated_before
                      and e.created_at >= now() - t.max_age_ms * interval '1 millisecond'
                    order by l.stream_version limit 1)), s.version + 1) end) as target
             from ${retention} t join ${streams} s on s.id = t.stream_ref
             where t.stream_ref = $1 and (${hasLimits}) and s.deleted_at is null`,
    } satisfies Statement,
  };
}
