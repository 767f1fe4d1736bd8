/**
 * The ceiling for this library's layout: a plain `pg` Pool that calls the
 * library's server-side functions and runs its read SQL, written out by hand.
 * The difference to the `library` contender is the cost of the library's own
 * layers (validation, MikroORM/knex connection handling, row mapping).
 *
 * The SQL below mirrors src/repositories/sql/read.sql.ts and write.sql.ts
 * (schema `public`, page size 1000); keep it in step when those change.
 */
import { Pool, types as pgTypes } from 'pg';
import { EventStore } from '../../src';
import type { BenchEvent } from '../fixtures';
import { AllPage, Contender, EventIdentity, VersionConflict } from './contender';

const PAGE = 1000;

const APPEND = {
  name: 'hand_append',
  text: `select status, stream_version, tx::text as tx, last_position
         from public.es_append($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::uuid[], $8::uuid[], true)`,
};

const SEQUENCE = { name: 'hand_sequence', text: 'select public.es_sequence($1::xid8) as last_position' };

const STREAM_FORWARD = {
  name: 'hand_stream_fwd',
  text: `
    select s.id as ref, s.deleted_at, x.*
    from public.streams s
    left join lateral (
      select u.event_number, u.event_id, u.stream_version, u.event_type, u.data, u.metadata,
        u.causation_id, u.correlation_id, u.created_at,
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

const ALL_FORWARD = {
  name: 'hand_all_fwd',
  text: `
    select w.more, x.*
    from (select exists (select 1 from public.all_positions where first_position > $2) as more) w
    left join lateral (
      select r.first_position + (e.stream_version - r.first_version) as position,
             st.stream_id as o_stream_id, e.event_id, e.stream_version, e.event_type, e.data, e.metadata,
             e.causation_id, e.correlation_id, e.created_at
      from public.all_positions r
      join public.streams st on st.id = r.stream_ref
      cross join lateral (
        select * from public.events e
        where e.stream_ref = r.stream_ref
          and e.stream_version >= r.first_version + greatest(0, $1 - r.first_position)
          and e.stream_version <= r.first_version + least(r.count, $2 - r.first_position + 1) - 1
        order by e.stream_version
      ) e
      where r.first_position >= coalesce((select max(first_position) from public.all_positions where first_position <= $1), 1)
        and r.first_position <= $2
      order by r.first_position, e.stream_version
    ) x on true`,
};

/** bigint as a JS number, jsonb parsed, timestamps as Dates: what the library returns. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return Number;
    return pgTypes.getTypeParser(oid, format ?? 'text');
  },
};

interface Row {
  event_id: string | null;
  o_stream_id: string;
  stream_version: number;
  position: number;
  more?: boolean;
}

export class HandSqlContender implements Contender {
  private pool?: Pool;

  async open(url: string, poolSize: number): Promise<void> {
    // The library's migrations create the schema; the store is closed again at once.
    await (await EventStore.connect({ clientUrl: url, sequencerIntervalMs: 0 })).close();
    this.pool = new Pool({ connectionString: url, max: poolSize });
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    const n = events.length;
    const ids = new Array<string>(n);
    const eventTypes = new Array<string>(n);
    const data = new Array<string>(n);
    const metadata = new Array<string>(n);
    const nulls = new Array<null>(n).fill(null);
    for (let i = 0; i < n; i++) {
      const e = events[i];
      ids[i] = e.eventId;
      eventTypes[i] = e.eventType;
      data[i] = JSON.stringify(e.data);
      metadata[i] = JSON.stringify(e.metadata);
    }
    const { rows } = await this.pool!.query({
      ...APPEND, values: [streamId, expectedVersion, ids, eventTypes, data, metadata, nulls, nulls], types: TYPES,
    });
    const row = rows[0];
    if (row.status !== 0) throw new VersionConflict(new Error(`es_append status ${row.status}`));
    // The sequencer was busy: number the events before returning, as the library does (G3).
    if (row.last_position === null) await this.pool!.query({ ...SEQUENCE, values: [row.tx], types: TYPES });
  }

  async readStream(streamId: string): Promise<unknown[]> {
    const { rows } = await this.pool!.query<Row>({ ...STREAM_FORWARD, values: [streamId, 1], types: TYPES });
    if (rows.length === 0) throw new Error(`stream ${streamId} not found`);
    return rows[0].event_id === null ? [] : rows;
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const events: Row[] = [];
    let low = after + 1;
    for (;;) {
      const high = low + (count - events.length) - 1;
      const { rows } = await this.pool!.query<Row>({ ...ALL_FORWARD, values: [low, high], types: TYPES });
      for (const row of rows) if (row.event_id !== null) events.push(row);
      if (events.length >= count || !rows[0]?.more) break;
      low = high + 1;
    }
    return { events, next: events.length > 0 ? events[events.length - 1].position : after };
  }

  identify(event: unknown): EventIdentity {
    const row = event as Row;
    return { eventId: row.event_id!, streamId: row.o_stream_id, version: row.stream_version };
  }
}
