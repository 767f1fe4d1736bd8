import { Migration } from '@mikro-orm/migrations';
import { Migration20261206120000 } from './Migration20261206120000';
import { Migration20261206165000 } from './Migration20261206165000';
import { WriteStatus, expectedVersionStatusSql, takeVersionsSql } from '../src/protocol';

/**
 * Less per append (docs/ordering.md, "What an append pays"):
 *
 * - An append that finds the sequencer free numbers itself in its sweep's
 *   statement, last, and writes no `append_log` row: the row only tells a
 *   later sweep what to number, and this append is numbered before it
 *   commits. The sweep returns its last position (no look-up afterwards).
 * - A sweep's NOTIFY names the transactions of the waiting appends it
 *   numbered with their last positions (`<last> <tx>:<position>,...`, up to
 *   150 of them), so that those appends learn their positions without a
 *   statement of their own (`<last> ` when it numbered none of them).
 * - `es_positions` looks a position up by index per append (it joined
 *   every `all_positions` row: its time grew with the store).
 *
 * `es_sweep` keeps its name; its own append's stream, first version and
 * count are new, optional arguments.
 */
export class Migration20261207100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop function if exists es_sweep(xid8);');

    // The sweep (docs/ordering.md). p_own: the sweeping transaction when it
    // is an append's own; p_ref, p_first, p_count: that append, numbered
    // after everything pending (its stream's earlier appends committed
    // before it took the stream row, so they are pending or numbered).
    // Returns the last position given out (the own append's last, if any).
    // The planner settings keep the pending scan on the (tx, seq) index with
    // one generic plan (they cost about 1 µs per call).
    this.addSql(inSchema(`create or replace function {s}.es_sweep(p_own xid8,
        p_ref bigint default null, p_first bigint default null, p_count int default null) returns bigint
      language plpgsql
      set plan_cache_mode = force_generic_plan set enable_seqscan = off set enable_bitmapscan = off
      as $$
      declare
        v_last bigint; v_xmax xid8; v_xip xid8[]; v_new_last bigint; v_waiting text;
      begin
        select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into v_last, v_xmax, v_xip
        from {s}.all_positions r order by r.first_position desc limit 1;
        if not found then
          v_last := 0; v_xmax := '0'; v_xip := '{}';
        elsif v_xmax > pg_snapshot_xmax(pg_current_snapshot()) then
          -- The transaction id counter went back (the database was restored
          -- into another cluster): recorded ids are meaningless here. The
          -- recovery numbers what append_log lists, so the own append joins it.
          if p_ref is null then
            return {s}.es_recover(v_last, p_own);
          end if;
          insert into {s}.append_log (stream_ref, first_version, count) values (p_ref, p_first, p_count);
          perform {s}.es_recover(v_last, p_own);
          select r.first_position + r.count - 1 into v_new_last
          from {s}.all_positions r where r.stream_ref = p_ref and r.first_version = p_first;
          return v_new_last;
        end if;

        -- One statement: the snapshot recorded is the one that decided what
        -- was visible, hence numbered. The own transaction's id may lie at
        -- or above the snapshot's xmax: the state then moves xmax past it
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
          select a.seq, a.tx, a.stream_ref, a.first_version, a.count from {s}.append_log a where a.tx >= v_xmax
          union all
          select a.seq, a.tx, a.stream_ref, a.first_version, a.count from {s}.append_log a where a.tx = any(v_xip)
          union all
          select 9223372036854775807, null, p_ref, p_first, p_count where p_ref is not null
        ), numbered as materialized (
          select p.tx, p.stream_ref, p.first_version, p.count,
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
        select (select max(i.last_position) from inserted i),
               (select case when count(*) <= 150 then ' ' || coalesce(string_agg(n.tx::text || ':' || n.last_position, ','), '') end
                from numbered n where n.tx is not null)
        into v_new_last, v_waiting;

        if v_new_last is null then
          return v_last;
        end if;
        -- '<last> <tx>:<position>,...' names every waiting append numbered
        -- (none: '<last> '); without the list (too many to name) waiting
        -- appends look their positions up.
        perform pg_notify({s}.es_channel(), v_new_last::text || coalesce(v_waiting, ''));
        return v_new_last;
      end $$`));

    // As before (Migration20261206120000); the positions are index probes.
    this.addSql(inSchema(`create or replace function {s}.es_positions(p_txs xid8[], p_sequence boolean)
      returns table (tx xid8, last_position bigint)
      language plpgsql as $$
      declare v_xmax xid8; v_xip xid8[];
      begin
        for i in 1..(case when p_sequence then 2 else 0 end) loop
          select r.snapshot_xmax, r.snapshot_xip into v_xmax, v_xip
          from {s}.all_positions r order by r.first_position desc limit 1;
          exit when v_xmax is not null and v_xmax <= pg_snapshot_xmax(pg_current_snapshot())
            and not exists (select 1 from unnest(p_txs) t where t >= v_xmax or t = any(v_xip));
          if i = 1 then
            perform pg_advisory_xact_lock({s}.es_sequencer_key(), 0);
          else
            perform {s}.es_sweep(null);
          end if;
        end loop;
        return query
          select f.tx, f.last_position from (
            select a.tx, (select r.first_position + r.count - 1 from {s}.all_positions r
                          where r.stream_ref = a.stream_ref and r.first_version = a.first_version) as last_position
            from {s}.append_log a where a.tx = any(p_txs)) f
          where f.last_position is not null;
      end $$`));

    // es_append as in Migration20261206165000, but an append that gets the
    // sequencer lock numbers itself instead of logging itself: in one insert
    // of its own range when nothing else is pending (the usual case with
    // few writers), else last in a full sweep.
    this.addSql(inSchema(`create or replace function {s}.es_append(p_stream text, p_expected bigint,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
        p_causation uuid[], p_correlation uuid[], p_sync boolean,
        out status int, out stream_version bigint, out tx xid8, out last_position bigint)
      language plpgsql as $$
      declare v_ref bigint; v_count int := cardinality(p_ids); v_xmax xid8; v_xip xid8[]; v_deleted timestamptz;
      begin
        -- Locks (or creates) the stream row and moves its version, honouring
        -- the expected version (ExpectedVersionCode, or n exact).
        ${takeVersionsSql({ streams: '{s}.streams', stream: 'p_stream', expected: 'p_expected', count: 'v_count', into: 'v_ref, stream_version' })}
        if v_ref is null then
          select r.stream_version, r.tx, r.last_position into stream_version, tx, last_position
          from {s}.es_replay(p_stream, p_ids) r;
          if found then
            status := ${WriteStatus.Ok};
            return;
          end if;
          -- Why it was refused, from the stream's committed state. A state
          -- that would now be accepted moved after our update: still refused.
          select s.version, s.deleted_at into stream_version, v_deleted from {s}.streams s where s.stream_id = p_stream;
          status := ${refusalSql};
          if status = ${WriteStatus.Ok} then status := ${WriteStatus.WrongExpectedVersion}; end if;
          stream_version := coalesce(stream_version, 0);
          return;
        end if;

        insert into {s}.events (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id)
        select u.id, v_ref, stream_version - v_count + u.n, u.t, u.d, u.m, u.c, u.r
        from unnest(p_ids, p_types, p_data, p_metadata, p_causation, p_correlation) with ordinality as u(id, t, d, m, c, r, n);

        status := 0;
        if p_sync then
          if pg_try_advisory_xact_lock({s}.es_sequencer_key(), 0) then
            -- The sequencer's state cannot move while we hold its lock.
            select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into last_position, v_xmax, v_xip
            from {s}.all_positions r order by r.first_position desc limit 1;
            -- When nothing else is pending (checked with the same snapshot
            -- that the state recorded comes from), the sweep is one row: our
            -- own, after the last position. Otherwise, or before the first
            -- sweep or after a restore (es_sweep), the full sweep.
            if found and v_xmax <= pg_snapshot_xmax(pg_current_snapshot()) then
              with snap as materialized (
                select pg_snapshot_xmax(c.s) as xmax, array(select pg_snapshot_xip(c.s)) as xip, pg_current_xact_id() as own
                from (select pg_current_snapshot() as s) c
              )
              insert into {s}.all_positions (first_position, stream_ref, first_version, count, snapshot_xmax, snapshot_xip)
              select last_position + 1, v_ref, stream_version - v_count + 1, v_count,
                     case when sn.own < sn.xmax then sn.xmax else (sn.own::text::bigint + 1)::text::xid8 end,
                     case when sn.own < sn.xmax then sn.xip
                          else sn.xip || array(select g::text::xid8
                                               from generate_series(sn.xmax::text::bigint, sn.own::text::bigint - 1) g) end
              from snap sn
              where not exists (select 1 from (select a.tx from {s}.append_log a where a.tx >= v_xmax order by a.tx limit 1) p)
                and not exists (select 1 from {s}.append_log a where a.tx = any(v_xip))
              returning first_position + count - 1 into last_position;
              if found then
                perform pg_notify({s}.es_channel(), last_position::text || ' ');
                return;
              end if;
            end if;
            last_position := {s}.es_sweep(pg_current_xact_id(), v_ref, stream_version - v_count + 1, v_count);
            return;
          end if;
        end if;
        insert into {s}.append_log (stream_ref, first_version, count)
        values (v_ref, stream_version - v_count + 1, v_count)
        returning append_log.tx into tx;
        if not p_sync then
          perform pg_notify({s}.es_channel(), 'w');
        end if;
      end $$`));
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists es_sweep(xid8, bigint, bigint, int);');
    // The definitions of the migrations before this one (same signatures as theirs).
    for (const Earlier of [Migration20261206120000, Migration20261206165000]) {
      const earlier = new Earlier(this.driver, this.config);
      await earlier.up();
      for (const sql of earlier.getQueries()) this.addSql(sql);
    }
  }
}

/** The expected-version rules (src/protocol.ts) on the stream state es_append reads when refused. */
const refusalSql = expectedVersionStatusSql({
  expected: 'p_expected', exists: 'stream_version is not null', version: 'stream_version', deleted: 'v_deleted is not null',
});

/** A DO block that creates the function `sql` with `{s}` replaced by the quoted current schema. */
function inSchema(sql: string): string {
  return `do $do$ begin execute replace($fn$${sql}$fn$, '{s}.', quote_ident(current_schema()) || '.'); end $do$;`;
}
