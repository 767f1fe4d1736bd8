/**
 * SQL without a sequencer: a plain `pg` Pool, events with a `bigserial`
 * position taken at insert, and a stream row whose version is checked and
 * moved by the append. There is no gap-free `$all` (a reader paging by
 * position can skip an event whose transaction commits late), so what the
 * other contenders pay over this one is the price of their global order.
 * It runs the append workloads only.
 */
import { Pool } from 'pg';
import type { BenchEvent } from '../fixtures';
import type { AllPage, BenchSubscription, Contender, EventIdentity } from './contender';
import { VersionConflict } from './contender';
import { eventColumns } from './event-columns';
import type { BalanceTotals, RunningRebuild } from './balances';

const SCHEMA = `
  create table if not exists streams (
    id bigserial primary key, stream_id text not null unique, version bigint not null);
  create table if not exists events (
    position bigserial primary key, event_id uuid not null unique, stream_ref bigint not null, stream_version bigint not null,
    event_type text not null, data jsonb not null, metadata jsonb, causation_id uuid, correlation_id uuid,
    created_at timestamptz not null default now(), unique (stream_ref, stream_version));`;

/** The events of one append, after the stream row `s` (id, new version) and the count `$2`. */
const INSERT_EVENTS = `
  e as (
    insert into events (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id)
    select u.id, s.id, s.version - $2 + u.n, u.t, u.d, u.m, u.c, u.r
    from s, unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::uuid[], $9::uuid[]) with ordinality as u(id, t, d, m, c, r, n)
    returning position)
  select (select version from s) as version, (select max(position) from e) as position`;

/** Expected version 0: the stream must not exist (`$3` unused, kept for one parameter list). */
const APPEND_NEW = {
  name: 'noseq_append_new',
  text: `with s as (
    insert into streams (stream_id, version) select $1, $2 where $3::bigint = 0
    on conflict (stream_id) do nothing returning id, version), ${INSERT_EVENTS}`,
};

/** Expected version n: the row lock orders concurrent appends; a loser re-checks the moved version and matches nothing. */
const APPEND_EXISTING = {
  name: 'noseq_append_existing',
  text: `with s as (
    update streams set version = version + $2 where stream_id = $1 and version = $3 returning id, version), ${INSERT_EVENTS}`,
};

const READ_STREAM = {
  name: 'noseq_read_stream',
  text: `select e.event_id, e.stream_version, e.position, e.event_type, e.data, e.metadata, s.stream_id
         from streams s join events e on e.stream_ref = s.id where s.stream_id = $1 order by e.stream_version`,
};

const READ_ALL = {
  name: 'noseq_read_all',
  text: `select e.event_id, e.stream_version, e.position, e.event_type, e.data, e.metadata, s.stream_id
         from events e join streams s on s.id = e.stream_ref where e.position > $1 order by e.position limit $2`,
};

interface Row {
  event_id: string;
  stream_id: string;
  stream_version: string;
  position: string;
}

export class NoSequencerContender implements Contender {
  private pool?: Pool;

  async open(url: string, poolSize: number): Promise<void> {
    this.pool = new Pool({ connectionString: url, max: poolSize });
    await this.pool.query(SCHEMA);
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    const n = events.length;
    const { ids, eventTypes, data, metadata, nulls } = eventColumns(events);
    const statement = expectedVersion === 0 ? APPEND_NEW : APPEND_EXISTING;
    const { rows } = await this.pool!.query({ ...statement, values: [streamId, n, expectedVersion, ids, eventTypes, data, metadata, nulls, nulls] });
    if (rows[0].version === null) throw new VersionConflict(new Error(`stream ${streamId} is not at version ${expectedVersion}`));
  }

  async readStream(streamId: string): Promise<unknown[]> {
    return (await this.pool!.query<Row>({ ...READ_STREAM, values: [streamId] })).rows;
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const { rows } = await this.pool!.query<Row>({ ...READ_ALL, values: [after, count] });
    return { events: rows, next: rows.length > 0 ? Number(rows[rows.length - 1].position) : after };
  }

  identify(event: unknown): EventIdentity {
    const row = event as Row;
    return { eventId: row.event_id, streamId: row.stream_id, version: Number(row.stream_version) };
  }

  subscribeToAll(): Promise<BenchSubscription> {
    return unsupported();
  }

  seedAggregate(): Promise<void> {
    return unsupported();
  }

  loadAggregate(): Promise<number> {
    return unsupported();
  }

  updateAggregate(): Promise<number> {
    return unsupported();
  }

  setUpBalances(): Promise<void> {
    return unsupported();
  }

  rebuildBalances(): RunningRebuild {
    throw new Error('SQL without a sequencer runs the append workloads only');
  }

  balanceTotals(): Promise<BalanceTotals> {
    return unsupported();
  }
}

function unsupported(): Promise<never> {
  return Promise.reject(new Error('SQL without a sequencer runs the append workloads only'));
}
