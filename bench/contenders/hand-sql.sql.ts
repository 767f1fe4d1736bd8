/**
 * The hand SQL contender's statements: the library's own SQL, written out by
 * hand for schema `public` (page size 1000), and the result parsing the
 * library uses. It mirrors
 * - src/repositories/sql/write.sql.ts (es_append, es_sequence),
 * - src/repositories/sql/read.sql.ts (streamPage forward, allWindow forward;
 *   rows as arrays, columns in RECORDED_COLUMNS order),
 * - src/repositories/sql-runner.ts (RESULT_TYPES),
 * - src/subscriptions/sql/subscriptions.sql.ts (last position, checkpoint);
 * keep it in step when those change.
 */
import { types as pgTypes } from 'pg';
import { parseTimestamptz } from '../../src/repositories/timestamp-parser';

export const PAGE = 1000;

/** Every read row ends with these columns, from index `at` (RECORDED_COLUMNS of read.sql.ts). */
export const RECORDED = { position: 0, streamId: 1, eventId: 2, streamVersion: 3, eventType: 4, data: 5 } as const;
export const RECORDED_COUNT = 10;
/** Stream page rows: ref, deleted_at, event_number, then the recorded columns. */
export const STREAM_ROW = { deletedAt: 1, at: 3 } as const;
/** `$all` window rows: next_position, then the recorded columns. */
export const WINDOW_ROW = { nextPosition: 0, at: 1 } as const;

const EVENT_COLUMNS = 'event_id, stream_version, event_type, data, metadata, causation_id, correlation_id, created_at';
const qualified = (alias: string, columns: string) => columns.split(', ').map((c) => `${alias}.${c}`).join(', ');
const RECORDED_COLUMNS = `position, o_stream_id, ${EVENT_COLUMNS}`;

export const APPEND = {
  name: 'hand_append',
  text: `select status, stream_version, tx::text as tx, last_position
         from public.es_append($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::uuid[], $8::uuid[], true)`,
};

export const SEQUENCE = { name: 'hand_sequence', text: 'select public.es_sequence($1::xid8) as last_position' };

export const STREAM_FORWARD = {
  name: 'hand_stream_fwd',
  rowMode: 'array' as const,
  text: `
    select s.id as ref, s.deleted_at, x.event_number, ${qualified('x', RECORDED_COLUMNS)}
    from public.streams s
    left join lateral (
      select u.event_number, ${qualified('u', EVENT_COLUMNS)},
        case when u.stream_ref = s.id then s.stream_id
             else (select o.stream_id from public.streams o where o.id = u.stream_ref) end as o_stream_id,
        coalesce((select case when u.stream_version < r.first_version + r.count
                              then r.first_position + (u.stream_version - r.first_version) end
                  from public.all_positions r
                  where r.stream_ref = u.stream_ref and r.first_version <= u.stream_version
                  order by r.first_version desc limit 1), 0) as position
      from (
        (select e.stream_version as event_number, e.*
         from public.events e
         where e.stream_ref = s.id and e.stream_version >= $2
         order by e.stream_version asc limit ${PAGE})
        union all
        (select l.stream_version as event_number, e.*
         from public.stream_links l join public.events e on e.event_id = l.event_id
         where l.stream_ref = s.id and l.stream_version >= $2
         order by l.stream_version asc limit ${PAGE})
      ) u
      order by u.event_number asc limit ${PAGE}
    ) x on true
    where s.stream_id = $1`,
};

export const ALL_FORWARD = {
  name: 'hand_all_fwd',
  rowMode: 'array' as const,
  text: `
    select w.next_position, ${qualified('x', RECORDED_COLUMNS)}
    from (select (select greatest(r.first_position + k.skip, $2 + 1) from public.all_positions r
      cross join lateral (select greatest(0, coalesce((select t.truncated_before from public.stream_retention t
        where t.stream_ref = r.stream_ref), 1) - r.first_version) as skip) k
      where r.first_position >= coalesce((select max(first_position) from public.all_positions where first_position <= $2), 1)
        and r.first_position + r.count - 1 > $2 and k.skip < r.count
        and exists (select 1 from public.streams st where st.id = r.stream_ref)
      order by r.first_position limit 1) as next_position) w
    left join lateral (
      select r.first_position + (e.stream_version - r.first_version) as position,
             r.o_stream_id, ${qualified('e', EVENT_COLUMNS)}
      from (
        select r.first_position, r.first_version, r.count, r.stream_ref,
               (select st.stream_id from public.streams st where st.id = r.stream_ref) as o_stream_id
        from public.all_positions r
        where r.first_position >= coalesce((select max(first_position) from public.all_positions where first_position <= $1), 1)
          and r.first_position <= $2
        order by r.first_position
      ) r
      cross join lateral (
        select * from public.events e
        where e.stream_ref = r.stream_ref
          and e.stream_version >= r.first_version + greatest(0, $1 - r.first_position)
          and e.stream_version <= r.first_version + least(r.count, $2 - r.first_position + 1) - 1
        order by e.stream_version
      ) e
    ) x on true`,
};

export const LAST_POSITION = {
  name: 'hand_last_position',
  text: `select coalesce((select first_position + count - 1 from public.all_positions
                          order by first_position desc limit 1), 0) as last_position`,
};

export const CREATE_SUBSCRIPTION = {
  name: 'hand_sub_create',
  text: `insert into public.subscriptions (stream_id, name, last_seen) values ('$all', $1, $2) returning id`,
};

export const CHECKPOINT = { name: 'hand_sub_checkpoint', text: 'update public.subscriptions set last_seen = $2 where id = $1' };

export const DELETE_SUBSCRIPTION = { name: 'hand_sub_delete', text: 'delete from public.subscriptions where id = $1' };

/** bigint as a JS number, jsonb parsed, timestamptz with the library's parser: what the library returns. */
export const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return Number;
    if (oid === 1184) return parseTimestamptz;
    return pgTypes.getTypeParser(oid, format ?? 'text');
  },
};
