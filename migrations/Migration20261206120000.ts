import { Migration } from '@mikro-orm/migrations';
import { ExpectedVersionCode, LockSpace, NOTIFY_WRITE, WriteStatus } from '../src/protocol';

/**
 * The append's hot path without per-call overhead (docs/ordering.md, "What an
 * append pays"):
 *
 * - The functions on the hot path name their tables with the schema written
 *   in (instead of `set search_path from current`, a setting saved and
 *   restored on every call), so each is created by a DO block that fills in
 *   `current_schema()`, the store's schema while its migrations run.
 * - The sequencer's lock key and NOTIFY channel are constants written in at
 *   migration time (immutable SQL, folded into the callers' cached plans)
 *   instead of a catalogue lookup per call.
 * - The sweep computes the state it records in its own statement instead of
 *   calling a SQL function (which was planned on every call), and the append
 *   moves its stream row itself.
 * - An append that committed while the sequencer was busy learns its
 *   position from `es_positions`, which serves many such appends in one
 *   call: a read-only look-up once a sweep has numbered them, or, when none
 *   comes, a call that numbers them itself.
 *
 * Semantics are unchanged; the functions keep their signatures.
 */
export class Migration20261206120000 extends Migration {
  override async up(): Promise<void> {
    const key = `(quote_ident(current_schema()) || '.${LockSpace.sequencer}')::regclass::oid`;
    this.addSql(inSchema(`create or replace function {s}.es_sequencer_key() returns int language sql immutable
      as $$ select {key}::int $$`, key));
    this.addSql(inSchema(`create or replace function {s}.es_channel() returns text language sql immutable
      as $$ select 'eventstore_{key}'::text $$`, key));

    // The sweep: as before (docs/ordering.md), with the recorded snapshot
    // state computed inline. The planner settings keep the pending scan on
    // the (tx, seq) index with one generic plan: a custom plan per call
    // would be planned every time, and a generic plan costed for an unknown
    // `tx >= $1` would scan the whole log.
    this.addSql(inSchema(`create or replace function {s}.es_sweep(p_own xid8) returns bigint
      language plpgsql
      set plan_cache_mode = force_generic_plan set enable_seqscan = off set enable_bitmapscan = off
      as $$
      declare
        v_last bigint; v_xmax xid8; v_xip xid8[]; v_new_last bigint;
      begin
        select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into v_last, v_xmax, v_xip
        from {s}.all_positions r order by r.first_position desc limit 1;
        if not found then
          v_last := 0; v_xmax := '0'; v_xip := '{}';
        elsif v_xmax > pg_snapshot_xmax(pg_current_snapshot()) then
          -- The transaction id counter went back (the database was restored
          -- into another cluster): recorded ids are meaningless here.
          return {s}.es_recover(v_last, p_own);
        end if;

        -- One statement: the snapshot recorded is the one that decided what
        -- was visible, hence numbered. Own rows (p_own, the appending
        -- transaction sweeping itself) are visible although its id may lie
        -- at or above the snapshot's xmax: the state then moves xmax past it
        -- and lists the ids in between as in progress.
        with snap as materialized (
          select pg_snapshot_xmax(pg_current_snapshot()) as xmax, array(select pg_snapshot_xip(pg_current_snapshot())) as xip
        ), state as materialized (
          select case when p_own is null or p_own < sn.xmax then sn.xmax
                      else (p_own::text::bigint + 1)::text::xid8 end as xmax,
                 case when p_own is null or p_own < sn.xmax then sn.xip
                      else sn.xip || array(select g::text::xid8
                                           from generate_series(sn.xmax::text::bigint, p_own::text::bigint - 1) g) end as xip
          from snap sn
        ), pending as (
          select a.seq, a.stream_ref, a.first_version, a.count from {s}.append_log a where a.tx >= v_xmax
          union all
          select a.seq, a.stream_ref, a.first_version, a.count from {s}.append_log a where a.tx = any(v_xip)
        ), numbered as (
          select p.stream_ref, p.first_version, p.count,
                 v_last + sum(p.count) over (order by p.seq) as last_position,
                 row_number() over (order by p.seq desc) as newest
          from pending p
        ), inserted as (
          insert into {s}.all_positions (first_position, stream_ref, first_version, count, snapshot_xmax, snapshot_xip)
          select n.last_position - n.count + 1, n.stream_ref, n.first_version, n.count,
                 case when n.newest = 1 then st.xmax end, case when n.newest = 1 then st.xip end
          from numbered n cross join state st
          returning first_position + count - 1 as last_position
        )
        select max(i.last_position) into v_new_last from inserted i;

        if v_new_last is null then
          return v_last;
        end if;
        perform pg_notify({s}.es_channel(), v_new_last::text);
        return v_new_last;
      end $$`));

    // Sequences after a commit: waits for the sequencer lock, then returns at
    // once if p_tx (an append already committed) was numbered meanwhile.
    this.addSql(inSchema(`create or replace function {s}.es_sequence(p_tx xid8) returns bigint
      language plpgsql as $$
      declare v_last bigint; v_xmax xid8; v_xip xid8[];
      begin
        perform pg_advisory_xact_lock({s}.es_sequencer_key(), 0);
        if p_tx is not null then
          select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into v_last, v_xmax, v_xip
          from {s}.all_positions r order by r.first_position desc limit 1;
          if found and p_tx < v_xmax and not (p_tx = any(v_xip)) then
            return v_last;
          end if;
        end if;
        return {s}.es_sweep(null);
      end $$`));

    // The positions of committed appends (their transaction ids). Without
    // p_sequence it only looks them up (read-only: an append not numbered
    // yet has no all_positions row and is left out). With it, it first makes
    // sure they are numbered: coverage is read from the newest state without
    // the lock (sweeps commit in position order, so a state that covers an
    // append can only be newer than the sweep that numbered it), and the lock
    // is taken, and a sweep run, only when something is left to number.
    this.addSql(inSchema(`create or replace function {s}.es_positions(p_txs xid8[], p_sequence boolean)
      returns table (tx xid8, last_position bigint)
      language plpgsql as $$
      declare v_xmax xid8; v_xip xid8[];
      begin
        for i in 1..(case when p_sequence then 2 else 0 end) loop
          select r.snapshot_xmax, r.snapshot_xip into v_xmax, v_xip
          from {s}.all_positions r order by r.first_position desc limit 1;
          -- A recorded xmax beyond the current one is a restore into another
          -- cluster (see es_sweep): nothing counts as covered until recovered.
          exit when v_xmax is not null and v_xmax <= pg_snapshot_xmax(pg_current_snapshot())
            and not exists (select 1 from unnest(p_txs) t where t >= v_xmax or t = any(v_xip));
          if i = 1 then
            perform pg_advisory_xact_lock({s}.es_sequencer_key(), 0);
          else
            perform {s}.es_sweep(null);
          end if;
        end loop;
        return query
          select a.tx, r.first_position + r.count - 1
          from {s}.append_log a
          join {s}.all_positions r on r.stream_ref = a.stream_ref and r.first_version = a.first_version
          where a.tx = any(p_txs);
      end $$`));

    // Appends events. p_sync: the call is its own transaction, so it may
    // number its events at once when the sequencer is free (last_position is
    // then its last event's position); otherwise it is inside a caller's
    // transaction and wakes the sequencer at its commit.
    this.addSql(inSchema(`create or replace function {s}.es_append(p_stream text, p_expected bigint,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
        p_causation uuid[], p_correlation uuid[], p_sync boolean,
        out status int, out stream_version bigint, out tx xid8, out last_position bigint)
      language plpgsql as $$
      declare v_ref bigint; v_count int := cardinality(p_ids);
      begin
        -- Locks (or creates) the stream row and moves its version, honouring
        -- the expected version: -1 any, -2 no stream, -3 stream exists, n exact.
        if p_expected = ${ExpectedVersionCode.Any} then
          insert into {s}.streams as s (stream_id, version) values (p_stream, v_count)
          on conflict (stream_id) do update set version = s.version + v_count where s.deleted_at is null
          returning s.id, s.version into v_ref, stream_version;
        elsif p_expected = ${ExpectedVersionCode.NoStream} or p_expected = 0 then
          insert into {s}.streams as s (stream_id, version) values (p_stream, v_count)
          on conflict (stream_id) do update set version = s.version + v_count
            where s.version = 0 and s.deleted_at is null
          returning s.id, s.version into v_ref, stream_version;
        elsif p_expected = ${ExpectedVersionCode.StreamExists} then
          update {s}.streams s set version = s.version + v_count
          where s.stream_id = p_stream and s.deleted_at is null
          returning s.id, s.version into v_ref, stream_version;
        else
          update {s}.streams s set version = s.version + v_count
          where s.stream_id = p_stream and s.version = p_expected and s.deleted_at is null
          returning s.id, s.version into v_ref, stream_version;
        end if;
        if v_ref is null then
          select r.status, r.stream_version into status, stream_version from {s}.es_refusal(p_stream, p_expected) r;
          return;
        end if;

        insert into {s}.events (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id)
        select u.id, v_ref, stream_version - v_count + u.n, u.t, u.d, u.m, u.c, u.r
        from unnest(p_ids, p_types, p_data, p_metadata, p_causation, p_correlation) with ordinality as u(id, t, d, m, c, r, n);

        insert into {s}.append_log (stream_ref, first_version, count)
        values (v_ref, stream_version - v_count + 1, v_count)
        returning append_log.tx into tx;

        status := ${WriteStatus.Ok};
        if p_sync then
          if pg_try_advisory_xact_lock({s}.es_sequencer_key(), 0) then
            perform {s}.es_sweep(tx);
            select r.first_position + r.count - 1 into last_position
            from {s}.all_positions r where r.stream_ref = v_ref and r.first_version = stream_version - v_count + 1;
          end if;
        else
          perform pg_notify({s}.es_channel(), '${NOTIFY_WRITE}');
        end if;
      end $$`));
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists es_positions(xid8[], boolean);');
    // The other functions keep their faster definitions: same signatures, same results.
  }
}

/**
 * A DO block that creates the function `sql` with `{s}` replaced by the
 * quoted current schema and `{key}` by the value of the SQL expression `key`.
 */
function inSchema(sql: string, key?: string): string {
  const keyed = key ? `replace(${dollar(sql)}, '{key}', (${key})::text)` : dollar(sql);
  return `do $do$ begin execute replace(${keyed}, '{s}.', quote_ident(current_schema()) || '.'); end $do$;`;
}

function dollar(text: string): string {
  return `$fn$${text}$fn$`;
}
