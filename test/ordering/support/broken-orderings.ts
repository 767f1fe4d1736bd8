/**
 * Negative controls of the race suite: broken position assignments that the
 * suite must catch. Installed only by tests, into a test schema, by
 * replacing the store's append and sequencer functions there.
 */
import { EventStore } from '../../../src';
import { WriteStatus, expectedVersionStatusSql, takeVersionsSql } from '../../../src/protocol';
import { withClient } from '../../support/stores';

/** The declaration of es_append, shared by the replacements. */
const APPEND_SIGNATURE = `es_append(p_stream text, p_expected bigint,
    p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
    p_causation uuid[], p_correlation uuid[], p_sync boolean,
    out status int, out stream_version bigint, out tx xid8, out last_position bigint)`;

/** The stream and event writes of es_append, unchanged; the replacements differ only in what follows. */
const APPEND_WRITES = `
  ${takeVersionsSql({ streams: 'streams', stream: 'p_stream', expected: 'p_expected', count: 'v_count', into: 'v_ref, stream_version' })}
  if v_ref is null then
    select s.version, s.deleted_at into stream_version, v_deleted from streams s where s.stream_id = p_stream;
    status := ${expectedVersionStatusSql({ expected: 'p_expected', exists: 'stream_version is not null', version: 'stream_version', deleted: 'v_deleted is not null' })};
    if status = ${WriteStatus.Ok} then status := ${WriteStatus.WrongExpectedVersion}; end if;
    stream_version := coalesce(stream_version, 0);
    return;
  end if;
  insert into events (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id)
  select u.id, v_ref, stream_version - v_count + u.n, u.t, u.d, u.m, u.c, u.r
  from unnest(p_ids, p_types, p_data, p_metadata, p_causation, p_correlation) with ordinality as u(id, t, d, m, c, r, n);
  status := 0;`;

async function replaceAppend(store: EventStore, tail: string, sequence?: string): Promise<void> {
  await store.start();
  const s = `"${store.schema}"`;
  await withClient(async (c) => {
    await c.query(`create sequence if not exists ${s}.plain_positions`);
    await c.query(`create or replace function ${s}.${APPEND_SIGNATURE}
      language plpgsql set search_path to ${s} as $$
      declare v_ref bigint; v_count int := cardinality(p_ids); v_deleted timestamptz;
      begin ${APPEND_WRITES} ${tail} end $$`);
    if (sequence) await c.query(`create or replace function ${s}.es_sequence(p_tx xid8) returns bigint language sql as $$ ${sequence} $$`);
  });
}

/**
 * G1/G4 control: the position assignment every PostgreSQL event store has
 * shipped at some point, a plain sequence value taken at insert time. It
 * becomes visible at commit, so a reader paging by checkpoint can pass an
 * event that commits late.
 */
export async function installPlainSequencePositions(store: EventStore): Promise<void> {
  await replaceAppend(store, `
    insert into all_positions (first_position, stream_ref, first_version, count)
    select nextval('plain_positions'), v_ref, stream_version - v_count + g, 1
    from generate_series(1, v_count) g order by g;
    last_position := 0;`, 'select 0::bigint');
}

/**
 * G2 control: positions given inside the caller's transaction under the
 * global sequencer lock (commanded's counter row works this way), so the
 * lock is held until the caller commits.
 */
export async function installLockHeldToCommit(store: EventStore): Promise<void> {
  await replaceAppend(store, `
    insert into append_log (stream_ref, first_version, count)
    values (v_ref, stream_version - v_count + 1, v_count) returning append_log.tx into tx;
    perform pg_advisory_xact_lock(es_sequencer_key(), 0);
    last_position := es_sweep(tx);`);
}

/** G3 control: appends return before they are sequenced; only the background timer numbers them. */
export async function installLateSequencing(store: EventStore): Promise<void> {
  await replaceAppend(store, `
    insert into append_log (stream_ref, first_version, count)
    values (v_ref, stream_version - v_count + 1, v_count) returning append_log.tx into tx;
    last_position := 0;`);
}

