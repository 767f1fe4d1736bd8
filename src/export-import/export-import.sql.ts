/** The SQL of export and import (tables: docs/ordering.md). */
import { SchemaSql } from '../repositories/sql/naming';

/** created_at as ISO 8601 UTC with microseconds: exact, unlike a JS Date. */
const CREATED_AT = `to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const EVENT_COLUMNS = `e.event_id::text, s.stream_id, e.stream_version, e.event_type, e.data, e.metadata,
  e.causation_id::text, e.correlation_id::text, ${CREATED_AT}`;

export function exportSql(schema: string, pageSize: number) {
  const s = new SchemaSql(schema);
  return {
    /** Events of `$all` after position `$1`, in position order; the last column is the position. */
    allPage: `
      select ${EVENT_COLUMNS}, r.first_position + (e.stream_version - r.first_version) as position
      from ${s.t('all_positions')} r
      join ${s.t('events')} e on e.stream_ref = r.stream_ref
        and e.stream_version >= r.first_version and e.stream_version < r.first_version + r.count
      join ${s.t('streams')} s on s.id = r.stream_ref
      where r.first_position + r.count - 1 > $1
        and r.first_position + (e.stream_version - r.first_version) > $1
      order by position limit ${pageSize}`,
    /** Own events of stream `$1` after version `$2`; the last column is the version. */
    streamPage: `
      select ${EVENT_COLUMNS}, e.stream_version
      from ${s.t('streams')} s join ${s.t('events')} e on e.stream_ref = s.id
      where s.stream_id = $1 and e.stream_version > $2
      order by e.stream_version limit ${pageSize}`,
    /**
     * What goes before a page's events, per stream of the page (`$1` ids,
     * `$2` its first and `$3` its last version in the page): the version its
     * records before the page reached (its own event before the page, or
     * where it was truncated), then its links between that and its last
     * event in the page (none: a row with a null link).
     */
    linksBefore: `
      select p.stream_id, greatest(prev.v, coalesce(t.truncated_before, 1) - 1) as reached, l.stream_version, l.event_id::text
      from unnest($1::text[], $2::bigint[], $3::bigint[]) as p(stream_id, first_version, last_version)
      join ${s.t('streams')} s on s.stream_id = p.stream_id
      left join ${s.t('stream_retention')} t on t.stream_ref = s.id
      cross join lateral (select coalesce(max(e.stream_version), 0) as v from ${s.t('events')} e
                          where e.stream_ref = s.id and e.stream_version < p.first_version) prev
      left join ${s.t('stream_links')} l on l.stream_ref = s.id and l.stream_version > prev.v and l.stream_version < p.last_version
      order by p.stream_id, l.stream_version`,
    /**
     * Links after their stream's last own event (of stream `$1`, or all
     * when null), after (stream ref `$2`, version `$3`), with the version the
     * stream's records reached before them.
     */
    linkPage: `
      select s.stream_id, l.stream_version, l.event_id::text, l.stream_ref,
             greatest(coalesce(t.truncated_before, 1) - 1, own.v) as reached
      from ${s.t('stream_links')} l join ${s.t('streams')} s on s.id = l.stream_ref
      left join ${s.t('stream_retention')} t on t.stream_ref = s.id
      cross join lateral (select coalesce(max(e.stream_version), 0) as v from ${s.t('events')} e where e.stream_ref = l.stream_ref) own
      where ($1::text is null or s.stream_id = $1) and (l.stream_ref, l.stream_version) > ($2, $3) and l.stream_version > own.v
      order by l.stream_ref, l.stream_version limit ${pageSize}`,
    /** Streams (`$1`, or all when null) whose versions below `truncated_before` were removed. */
    truncations: `
      select s.stream_id, t.truncated_before
      from ${s.t('stream_retention')} t join ${s.t('streams')} s on s.id = t.stream_ref
      where t.truncated_before > 1 and ($1::text is null or s.stream_id = $1)
      order by s.id`,
    /**
     * Streams (`$1`, or all when null) whose last versions hold nothing
     * (links to removed events): the last version holding a record, and the
     * stream's version.
     */
    trailingGaps: `
      select s.stream_id, x.reached, s.version
      from ${s.t('streams')} s
      left join ${s.t('stream_retention')} t on t.stream_ref = s.id
      cross join lateral (select greatest(coalesce(t.truncated_before, 1) - 1,
          (select coalesce(max(e.stream_version), 0) from ${s.t('events')} e where e.stream_ref = s.id),
          (select coalesce(max(l.stream_version), 0) from ${s.t('stream_links')} l where l.stream_ref = s.id)) as reached) x
      where ($1::text is null or s.stream_id = $1) and s.version > x.reached
      order by s.id`,
    count: `
      select count(*) from ${s.t('all_positions')} r
      join ${s.t('events')} e on e.stream_ref = r.stream_ref
        and e.stream_version >= r.first_version and e.stream_version < r.first_version + r.count
      join ${s.t('streams')} s on s.id = r.stream_ref
      where $1::text is null or s.stream_id = $1`,
  };
}

/** The staging table a chunk is copied into; it lives for the session, emptied at each commit. */
export const STAGE_COLUMNS = 'line, kind, event_id, stream_id, stream_version, event_type, data, metadata, causation_id, correlation_id, created_at, last_version';

export function importSql(schema: string) {
  const s = new SchemaSql(schema);
  // Whether staged row g is in the store already, its stream being st.
  const present = `case g.kind
      when 'event' then exists (select 1 from ${s.t('events')} e
        where e.event_id = g.event_id and e.stream_ref = st.id and e.stream_version = g.stream_version)
      when 'link' then exists (select 1 from ${s.t('stream_links')} l
        where l.stream_ref = st.id and l.stream_version = g.stream_version and l.event_id = g.event_id)
      -- A gap's versions hold nothing: it is in when its stream has reached its last version.
      when 'gap' then coalesce(st.version >= g.last_version, false)
      else exists (select 1 from ${s.t('stream_retention')} t where t.stream_ref = st.id and t.truncated_before >= g.stream_version) end`;
  return {
    createStage: `create temp table if not exists es_import_stage (
      line bigint not null, kind text not null, event_id uuid, stream_id text not null,
      stream_version bigint not null, event_type text, data jsonb, metadata jsonb,
      causation_id uuid, correlation_id uuid, created_at timestamptz, last_version bigint) on commit delete rows`,
    copy: `copy es_import_stage (${STAGE_COLUMNS}) from stdin`,
    /**
     * Marks rows already in the store (a resumed import) and finds the first
     * conflicting one. A truncation row's stream_version is its beforeVersion;
     * a gap row's is its first version, last_version its last.
     */
    firstConflict: `
      with staged as (
        select g.*, st.id as ref, st.version as current_version, ${present} as present
        from es_import_stage g left join ${s.t('streams')} st on st.stream_id = g.stream_id
      ), firsts as (
        -- Each stream's first record not in the store yet, and where a truncation in the chunk starts it.
        select f.*, t.stream_version - 1 as truncated_to
        from (select distinct on (g.stream_id) g.line, g.stream_id, g.stream_version, g.current_version
              from staged g where g.kind <> 'truncated' and not g.present
              order by g.stream_id, g.line) f
        left join staged t on t.stream_id = f.stream_id and t.kind = 'truncated' and not t.present
      )
      select line, reason, detail from (
        select line, 'duplicate_event' as reason, 'event ' || event_id || ' is already in the store at another place' as detail
        from staged g where kind = 'event' and not present
          and exists (select 1 from ${s.t('events')} e where e.event_id = g.event_id)
        union all
        select line, 'duplicate_version', 'stream ' || stream_id || ' is already at version ' || current_version
        from staged g where kind <> 'truncated' and not present and current_version >= stream_version
        union all
        select line, 'stream_exists', 'stream ' || stream_id || ' is already in the store (at version ' || current_version
          || '): its truncation can only be imported with the stream'
        from staged g where kind = 'truncated' and not present and ref is not null
        union all
        select line, 'version_gap', 'stream ' || stream_id || ' is at version ' || coalesce(truncated_to, current_version, 0)
          || ': the import must continue it at version ' || (coalesce(truncated_to, current_version, 0) + 1) || ', not ' || stream_version
        from firsts f where f.stream_version > coalesce(f.truncated_to, f.current_version, 0) + 1
        union all
        select line, 'link_target_missing', 'linked event ' || event_id || ' is neither in the store nor before this link'
        from staged g where kind = 'link' and not present
          and not exists (select 1 from ${s.t('events')} e where e.event_id = g.event_id)
          and not exists (select 1 from es_import_stage x where x.kind = 'event' and x.event_id = g.event_id)
      ) c order by line limit 1`,
    /** Drops what a previous run already wrote (the same record at the same place). */
    dropPresent: `
      delete from es_import_stage g using ${s.t('streams')} st
      where st.stream_id = g.stream_id and ${present}`,
    upsertStreams: `
      insert into ${s.t('streams')} as st (stream_id, version)
      select stream_id, max(case kind when 'truncated' then stream_version - 1 when 'gap' then last_version else stream_version end)
      from es_import_stage group by stream_id order by min(line)
      on conflict (stream_id) do update set version = greatest(st.version, excluded.version)`,
    insertTruncations: `
      insert into ${s.t('stream_retention')} as t (stream_ref, truncated_before)
      select st.id, g.stream_version
      from es_import_stage g join ${s.t('streams')} st on st.stream_id = g.stream_id
      where g.kind = 'truncated'
      on conflict (stream_ref) do update set truncated_before = greatest(t.truncated_before, excluded.truncated_before)`,
    insertEvents: `
      insert into ${s.t('events')} (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id, created_at)
      select g.event_id, st.id, g.stream_version, g.event_type, g.data, g.metadata, g.causation_id, g.correlation_id, g.created_at
      from es_import_stage g join ${s.t('streams')} st on st.stream_id = g.stream_id
      where g.kind = 'event' order by g.line`,
    /**
     * One append_log row per run of consecutive versions of one stream, in
     * file order: the sequencer numbers a transaction's appends in seq
     * (identity) order, which is this insert's order.
     */
    insertAppends: `
      insert into ${s.t('append_log')} (stream_ref, first_version, count)
      select ref, min(stream_version), count(*)::int from (
        select b.*, sum(b.starts) over (order by b.line) as run from (
          select st.id as ref, g.stream_version, g.line,
            case when lag(g.stream_id) over w is distinct from g.stream_id
                   or lag(g.stream_version) over w <> g.stream_version - 1 then 1 else 0 end as starts
          from es_import_stage g join ${s.t('streams')} st on st.stream_id = g.stream_id
          where g.kind = 'event'
          window w as (order by g.line)
        ) b
      ) r group by run, ref order by run`,
    insertLinks: `
      insert into ${s.t('stream_links')} (stream_ref, stream_version, event_id)
      select st.id, g.stream_version, g.event_id
      from es_import_stage g join ${s.t('streams')} st on st.stream_id = g.stream_id
      where g.kind = 'link' order by g.line`,
    sequence: `select ${s.t('es_sequence')}(null) as last_position`,
  };
}
