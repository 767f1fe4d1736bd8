/**
 * Reads of one stream and of `$all`.
 *
 * Page sizes are written into the SQL text (one prepared statement per size)
 * rather than bound: a generic plan costed for an unknown LIMIT can cross
 * `jit_above_cost` and spend milliseconds JIT-compiling every page.
 */
import type { PaginateStreamsOptions } from '../../types';
import type { Statement } from '../sql-runner';
import type { SchemaSql } from './naming';

/** The columns of a RecordedEvent that come from `events`. */
const EVENT_COLUMNS = `event_id, stream_version, event_type, data, metadata, causation_id, correlation_id, created_at`;

/**
 * Every read returns rows as arrays (cheaper to parse than objects): its own
 * leading columns, then these, in this order (see row-mapping.ts).
 */
export const RECORDED_COLUMNS = `position, o_stream_id, ${EVENT_COLUMNS}`;

/** `x.a, x.b, …` */
function qualified(alias: string, columns: string): string {
  return columns.split(', ').map((c) => `${alias}.${c}`).join(', ');
}

/** A page of one stream, own events and links merged by version. `$1` stream id, `$2` bound version. */
function streamPage(s: SchemaSql, count: number, direction: 'forward' | 'backward'): string {
  const cmp = direction === 'forward' ? '>=' : '<=';
  const order = direction === 'forward' ? 'asc' : 'desc';
  return `
    select s.id as ref, s.deleted_at, x.event_number, ${qualified('x', RECORDED_COLUMNS)}
    from ${s.t('streams')} s
    left join lateral (
      select u.event_number, u.${EVENT_COLUMNS.split(', ').join(', u.')},
        case when u.stream_ref = s.id then s.stream_id
             else (select o.stream_id from ${s.t('streams')} o where o.id = u.stream_ref) end as o_stream_id,
        coalesce((select case when u.stream_version < r.first_version + r.count
                              then r.first_position + (u.stream_version - r.first_version) end
                  from ${s.t('all_positions')} r
                  where r.stream_ref = u.stream_ref and r.first_version <= u.stream_version
                  order by r.first_version desc limit 1), 0) as position
      from (
        (select e.stream_version as event_number, e.*
         from ${s.t('events')} e
         where e.stream_ref = s.id and e.stream_version ${cmp} $2
         order by e.stream_version ${order} limit ${count})
        union all
        (select l.stream_version as event_number, e.*
         from ${s.t('stream_links')} l join ${s.t('events')} e on e.event_id = l.event_id
         where l.stream_ref = s.id and l.stream_version ${cmp} $2
         order by l.stream_version ${order} limit ${count})
      ) u
      order by u.event_number ${order} limit ${count}
    ) x on true
    where s.stream_id = $1`;
}

/**
 * A window of `$all`: positions `$1 ..= $2`, in order. Ranges of hard-deleted
 * streams, and truncated versions, find no events and leave gaps. `next_position` is the nearest
 * position beyond the window on the reading side that holds an event (null
 * when there is none), so that a reader steps over a gap in one go instead
 * of reading it window by window.
 */
function allWindow(s: SchemaSql, direction: 'forward' | 'backward'): string {
  const live = `exists (select 1 from ${s.t('streams')} st where st.id = r.stream_ref)`;
  // A range's versions below its stream's truncation point were removed
  // (docs/retention.md): its events begin at position r.first_position + k.skip.
  const kept = `cross join lateral (select greatest(0, coalesce((select t.truncated_before from ${s.t('stream_retention')} t
                  where t.stream_ref = r.stream_ref), 1) - r.first_version) as skip) k`;
  const next = direction === 'forward'
    ? `select greatest(r.first_position + k.skip, $2 + 1) from ${s.t('all_positions')} r ${kept}
       where r.first_position >= coalesce((select max(first_position) from ${s.t('all_positions')} where first_position <= $2), 1)
         and r.first_position + r.count - 1 > $2 and k.skip < r.count and ${live}
       order by r.first_position limit 1`
    : `select least(r.first_position + r.count - 1, $1 - 1) from ${s.t('all_positions')} r ${kept}
       where r.first_position < $1 and r.first_position + k.skip < $1 and k.skip < r.count and ${live}
       order by r.first_position desc limit 1`;
  return `
    select w.next_position, ${qualified('x', RECORDED_COLUMNS)}
    from (select (${next}) as next_position) w
    left join lateral (
      select r.first_position + (e.stream_version - r.first_version) as position,
             r.o_stream_id, e.${EVENT_COLUMNS.split(', ').join(', e.')}
      from (
        -- The ranges in position order (a few rows; the ORDER BY also keeps
        -- this subquery from being flattened), each with its stream's id
        -- looked up by key. Ranges of hard-deleted streams find no events.
        select r.first_position, r.first_version, r.count, r.stream_ref,
               (select st.stream_id from ${s.t('streams')} st where st.id = r.stream_ref) as o_stream_id
        from ${s.t('all_positions')} r
        where r.first_position >= coalesce((select max(first_position) from ${s.t('all_positions')} where first_position <= $1), 1)
          and r.first_position <= $2
        order by r.first_position
      ) r
      -- LATERAL makes this a nested loop over the ranges in order, so rows
      -- come out in position order without sorting the wide rows (the
      -- reader checks the order and sorts only if it is ever broken).
      cross join lateral (
        select * from ${s.t('events')} e
        where e.stream_ref = r.stream_ref
          and e.stream_version >= r.first_version + greatest(0, $1 - r.first_position)
          and e.stream_version <= r.first_version + least(r.count, $2 - r.first_position + 1) - 1
        order by e.stream_version
      ) e
    ) x on true`;
}

/**
 * A filtered window of `$all`: the events of positions `$1 ..= $2` whose type
 * is in `$3` and/or whose stream id starts with the prefix, in order, at most
 * `count`. Each range probes the events index for its wanted types (an index
 * over `(event_type, stream_ref, stream_version)`), so a skipped event costs
 * an index entry at most, never a row. `scanned_to` is how far the window
 * goes: `$2`, or the last sequenced position when that is lower, read in the
 * same snapshot (no event can appear at or below it later: G1).
 */
function allFilteredWindow(s: SchemaSql, byType: boolean, byPrefix: boolean, count: number): string {
  const prefixParam = byType ? '$4' : '$3';
  const streamId = `(select st.stream_id from ${s.t('streams')} st where st.id = r.stream_ref)`;
  // Ranges exist only once sequenced, so those visible in this statement's
  // snapshot all lie at or below the last position it sees.
  return `
    select w.scanned_to, ${qualified('x', RECORDED_COLUMNS)}
    from (select least($2::bigint, coalesce((select r.first_position + r.count - 1 from ${s.t('all_positions')} r
                                            order by r.first_position desc limit 1), 0)) as scanned_to) w
    left join lateral (
      select r.first_position + (e.stream_version - r.first_version) as position,
             ${byPrefix ? 'r.o_stream_id' : streamId} as o_stream_id, e.${EVENT_COLUMNS.split(', ').join(', e.')}
      from (
        -- The ranges in position order, by the primary key (no sort: the
        -- LIMIT stops the walk at the count-th match).
        select r.first_position, r.first_version, r.count, r.stream_ref${byPrefix ? `, ${streamId} as o_stream_id` : ''}
        from ${s.t('all_positions')} r
        where r.first_position >= coalesce((select max(first_position) from ${s.t('all_positions')} where first_position <= $1), 1)
          and r.first_position <= $2
        order by r.first_position
      ) r
      cross join lateral (
        select * from ${s.t('events')} e
        where e.stream_ref = r.stream_ref
          ${byType ? 'and e.event_type = any($3::text[])' : ''}
          and e.stream_version >= r.first_version + greatest(0, $1 - r.first_position)
          and e.stream_version <= r.first_version + least(r.count, $2 - r.first_position + 1) - 1
        order by e.stream_version
      ) e
      ${byPrefix ? `where starts_with(r.o_stream_id, ${prefixParam}::text)` : ''}
      limit ${count}
    ) x on true`;
}

/** The `paginateStreams` sort keys and their SQL. */
export const PAGINATE_SORT_COLUMNS: Record<NonNullable<PaginateStreamsOptions['sortBy']>, string> = {
  // By code point, whatever the database's collation.
  streamId: 'stream_id collate "C"',
  streamVersion: 'version',
  createdAt: 'created_at',
  deletedAt: 'deleted_at',
};

export class ReadStatements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly s: SchemaSql) {}

  /** Rows: ref, deleted_at, event_number, then RECORDED_COLUMNS. */
  streamForward(count: number): Statement {
    return this.cached(`stream_fwd_${count}`, () => streamPage(this.s, count, 'forward'), 'array');
  }

  streamBackward(count: number): Statement {
    return this.cached(`stream_bwd_${count}`, () => streamPage(this.s, count, 'backward'), 'array');
  }

  /** Rows: next_position, then RECORDED_COLUMNS. */
  allForward(): Statement {
    return this.cached('all_fwd', () => allWindow(this.s, 'forward'), 'array');
  }

  /** Rows: scanned_to, then RECORDED_COLUMNS. Parameters: low, high, then the types and/or the prefix. */
  allFiltered(byType: boolean, byPrefix: boolean, count: number): Statement {
    return this.cached(`all_flt_${byType ? 't' : ''}${byPrefix ? 'p' : ''}_${count}`,
      () => allFilteredWindow(this.s, byType, byPrefix, count), 'array');
  }

  allBackward(): Statement {
    return this.cached('all_bwd', () => allWindow(this.s, 'backward'), 'array');
  }

  streamInfo(): Statement {
    return this.cached('stream_info', () =>
      `select stream_id, version, created_at, deleted_at from ${this.s.t('streams')} where stream_id = $1`);
  }

  paginate(sortBy: keyof typeof PAGINATE_SORT_COLUMNS, direction: 'asc' | 'desc', pageSize: number): Statement {
    return this.cached(`paginate_${sortBy}_${direction}_${pageSize}`, () => `
      select stream_id, version, created_at, deleted_at, count(*) over () as total
      from ${this.s.t('streams')}
      where ($1::text = '' or strpos(stream_id, $1) > 0)
      order by ${PAGINATE_SORT_COLUMNS[sortBy]} ${direction} nulls last, id ${direction}
      limit ${pageSize} offset $2`);
  }

  paginateCount(): Statement {
    return this.cached('paginate_count', () =>
      `select count(*) as total from ${this.s.t('streams')} where ($1::text = '' or strpos(stream_id, $1) > 0)`);
  }

  /** Named statements are kept per connection, so only a bounded number of page sizes get names. */
  private cached(key: string, build: () => string, rowMode?: 'array'): Statement {
    const known = this.cache.get(key);
    if (known) return known;
    if (this.cache.size >= 64) return { text: build(), rowMode };
    const statement = { name: this.s.name(key), text: build(), rowMode };
    this.cache.set(key, statement);
    return statement;
  }
}
