import { Migration } from '@mikro-orm/migrations';
import { ExpectedVersionCode, LockSpace, NOTIFY_LINK, NOTIFY_WRITE, WriteStatus } from '../src/protocol';

/**
 * The store's server-side functions: append, link, delete and the `$all`
 * sequencer. Written by hand (functions are not part of the entity diff).
 * Each is created with `search_path from current`, i.e. bound to the schema
 * this migration runs in, so one database can hold many stores.
 *
 * Why the sequencer works and what each step guards: docs/ordering.md.
 */
export class Migration20261129103000 extends Migration {
  override async up(): Promise<void> {
    // Result codes (WriteStatus), expected versions (ExpectedVersionCode, or
    // n >= 0 exact) and notify payloads: src/protocol.ts.

    this.addSql(`create function es_channel() returns text language sql stable
      set search_path from current
      as $$ select 'eventstore_' || 'all_positions'::regclass::oid::text $$;`);

    this.addSql(`create function es_sequencer_key() returns int language sql stable
      set search_path from current
      as $$ select '${LockSpace.sequencer}'::regclass::oid::int $$;`);

    // Locks (or creates) the stream row and moves its version by p_count,
    // honouring the expected version. Returns null id when refused; the
    // caller then explains why with es_refusal.
    this.addSql(`create function es_take_versions(p_stream text, p_expected bigint, p_count int,
        out stream_ref bigint, out stream_version bigint)
      language plpgsql set search_path from current as $$
      begin
        if p_expected = ${ExpectedVersionCode.Any} then
          insert into streams as s (stream_id, version) values (p_stream, p_count)
          on conflict (stream_id) do update set version = s.version + p_count where s.deleted_at is null
          returning s.id, s.version into stream_ref, stream_version;
        elsif p_expected = ${ExpectedVersionCode.NoStream} or p_expected = 0 then
          insert into streams as s (stream_id, version) values (p_stream, p_count)
          on conflict (stream_id) do update set version = s.version + p_count
            where s.version = 0 and s.deleted_at is null
          returning s.id, s.version into stream_ref, stream_version;
        elsif p_expected = ${ExpectedVersionCode.StreamExists} then
          update streams s set version = s.version + p_count
          where s.stream_id = p_stream and s.deleted_at is null
          returning s.id, s.version into stream_ref, stream_version;
        else
          update streams s set version = s.version + p_count
          where s.stream_id = p_stream and s.version = p_expected and s.deleted_at is null
          returning s.id, s.version into stream_ref, stream_version;
        end if;
      end $$;`);

    // Why an expected version was refused, from the stream's committed state.
    this.addSql(`create function es_refusal(p_stream text, p_expected bigint,
        out status int, out stream_version bigint)
      language plpgsql set search_path from current as $$
      declare v_deleted timestamptz;
      begin
        select s.version, s.deleted_at into stream_version, v_deleted from streams s where s.stream_id = p_stream;
        if not found then
          stream_version := 0;
          status := case when p_expected = ${ExpectedVersionCode.StreamExists} then ${WriteStatus.StreamNotFound} else ${WriteStatus.WrongExpectedVersion} end;
        elsif v_deleted is not null then
          status := ${WriteStatus.StreamDeleted};
        elsif p_expected = ${ExpectedVersionCode.NoStream} then
          status := ${WriteStatus.StreamExists};
        elsif p_expected = ${ExpectedVersionCode.StreamExists} then
          status := ${WriteStatus.StreamNotFound};
        else
          status := ${WriteStatus.WrongExpectedVersion};
        end if;
      end $$;`);

    // The state a sweep records: the snapshot of the statement that numbers.
    // Own rows (p_own, the appending transaction sweeping itself) are visible
    // although its id may lie at or above the snapshot's xmax: the state then
    // moves xmax past it and lists the ids in between as in progress. STABLE,
    // so it sees the snapshot of the statement that calls it.
    this.addSql(`create function es_snapshot_state(p_own xid8, out xmax xid8, out xip xid8[])
      language sql stable as $$
        select
          case when p_own is null or p_own < pg_snapshot_xmax(s) then pg_snapshot_xmax(s)
               else (p_own::text::bigint + 1)::text::xid8 end,
          array(select pg_snapshot_xip(s)) ||
          case when p_own is null or p_own < pg_snapshot_xmax(s) then '{}'::xid8[]
               else array(select g::text::xid8
                          from generate_series(pg_snapshot_xmax(s)::text::bigint, p_own::text::bigint - 1) g)
          end
        from (select pg_current_snapshot() as s) snap
      $$;`);

    // The sequencer sweep. The caller holds the sequencer's advisory lock.
    // Gives the committed appends not numbered yet (and the caller's own,
    // p_own) the next $all positions, in append_log order, and records the
    // snapshot it numbered with on the newest all_positions row.
    this.addSql(`create function es_sweep(p_own xid8) returns bigint
      language plpgsql set search_path from current
      set plan_cache_mode = force_generic_plan set enable_seqscan = off set enable_bitmapscan = off
      as $$
      declare
        v_last bigint; v_xmax xid8; v_xip xid8[]; v_new_last bigint;
      begin
        select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into v_last, v_xmax, v_xip
        from all_positions r order by r.first_position desc limit 1;
        if not found then
          v_last := 0; v_xmax := '0'; v_xip := '{}';
        elsif v_xmax > pg_snapshot_xmax(pg_current_snapshot()) then
          -- The transaction id counter went back (the database was restored
          -- into another cluster): recorded ids are meaningless here.
          return es_recover(v_last, p_own);
        end if;

        -- One statement: the snapshot recorded is the one that decided what
        -- was visible, hence numbered.
        with pending as (
          select a.seq, a.stream_ref, a.first_version, a.count from append_log a where a.tx >= v_xmax
          union all
          select a.seq, a.stream_ref, a.first_version, a.count from append_log a where a.tx = any(v_xip)
        ), numbered as (
          select p.stream_ref, p.first_version, p.count,
                 v_last + sum(p.count) over (order by p.seq) as last_position,
                 row_number() over (order by p.seq desc) as newest
          from pending p
        ), inserted as (
          insert into all_positions (first_position, stream_ref, first_version, count, snapshot_xmax, snapshot_xip)
          select n.last_position - n.count + 1, n.stream_ref, n.first_version, n.count,
                 case when n.newest = 1 then st.xmax end, case when n.newest = 1 then st.xip end
          from numbered n cross join es_snapshot_state(p_own) st
          returning first_position + count - 1 as last_position
        )
        select max(i.last_position) into v_new_last from inserted i;

        if v_new_last is null then
          return v_last;
        end if;
        perform pg_notify(es_channel(), v_new_last::text);
        return v_new_last;
      end $$;`);

    // After a restore into another cluster: in one statement (one snapshot),
    // number every visible append that has no position yet, set the old
    // transaction ids aside and record a fresh state on a one-position gap.
    this.addSql(`create function es_recover(p_last bigint, p_own xid8) returns bigint
      language plpgsql set search_path from current as $$
      declare v_marker bigint;
      begin
        with pending as (
          select a.seq, a.stream_ref, a.first_version, a.count from append_log a
          where not exists (select 1 from all_positions r
                            where r.stream_ref = a.stream_ref and r.first_version = a.first_version)
        ), numbered as (
          select p.stream_ref, p.first_version, p.count,
                 p_last + sum(p.count) over (order by p.seq) as last_position
          from pending p
        ), set_aside as (
          update append_log set tx = '0' where tx <> '0' returning 1
        ), inserted as (
          insert into all_positions (first_position, stream_ref, first_version, count)
          select n.last_position - n.count + 1, n.stream_ref, n.first_version, n.count from numbered n
          returning 1
        ), marker as (
          insert into all_positions (first_position, stream_ref, first_version, count, snapshot_xmax, snapshot_xip)
          select coalesce((select max(n.last_position) from numbered n), p_last) + 1, 0, 0, 1, st.xmax, st.xip
          from es_snapshot_state(p_own) st
          returning first_position
        )
        select m.first_position into v_marker from marker m;
        perform pg_notify(es_channel(), v_marker::text);
        return v_marker;
      end $$;`);

    // Sequences after a commit: waits for the sequencer lock, then returns at
    // once if p_tx (an append already committed) was numbered meanwhile.
    this.addSql(`create function es_sequence(p_tx xid8) returns bigint
      language plpgsql set search_path from current as $$
      declare v_last bigint; v_xmax xid8; v_xip xid8[];
      begin
        perform pg_advisory_xact_lock(es_sequencer_key(), 0);
        if p_tx is not null then
          select r.first_position + r.count - 1, r.snapshot_xmax, r.snapshot_xip into v_last, v_xmax, v_xip
          from all_positions r order by r.first_position desc limit 1;
          if found and p_tx < v_xmax and not (p_tx = any(v_xip)) then
            return v_last;
          end if;
        end if;
        return es_sweep(null);
      end $$;`);

    // Appends events. p_sync: the call is its own transaction, so it may
    // number its events at once when the sequencer is free; otherwise it is
    // inside a caller's transaction and wakes the sequencer at its commit.
    this.addSql(`create function es_append(p_stream text, p_expected bigint,
        p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
        p_causation uuid[], p_correlation uuid[], p_sync boolean,
        out status int, out stream_version bigint, out tx xid8, out last_position bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_count int := cardinality(p_ids);
      begin
        select t.stream_ref, t.stream_version into v_ref, stream_version
        from es_take_versions(p_stream, p_expected, v_count) t;
        if v_ref is null then
          select r.status, r.stream_version into status, stream_version from es_refusal(p_stream, p_expected) r;
          return;
        end if;

        insert into events (event_id, stream_ref, stream_version, event_type, data, metadata, causation_id, correlation_id)
        select u.id, v_ref, stream_version - v_count + u.n, u.t, u.d, u.m, u.c, u.r
        from unnest(p_ids, p_types, p_data, p_metadata, p_causation, p_correlation) with ordinality as u(id, t, d, m, c, r, n);

        insert into append_log (stream_ref, first_version, count)
        values (v_ref, stream_version - v_count + 1, v_count)
        returning append_log.tx into tx;

        status := ${WriteStatus.Ok};
        if p_sync then
          if pg_try_advisory_xact_lock(es_sequencer_key(), 0) then
            last_position := es_sweep(tx);
          end if;
        else
          perform pg_notify(es_channel(), '${NOTIFY_WRITE}');
        end if;
      end $$;`);

    // Links existing events into a stream at its next versions. The stream's
    // state is checked first, as for an append (a deleted stream or a wrong
    // expected version wins over unknown or duplicate events); unlocked here,
    // es_take_versions checks it again on the locked row.
    this.addSql(`create function es_link(p_stream text, p_expected bigint, p_ids uuid[],
        out status int, out stream_version bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_target bigint; v_deleted timestamptz; v_count int := cardinality(p_ids); v_found int;
      begin
        select s.id, s.version, s.deleted_at into v_target, stream_version, v_deleted
        from streams s where s.stream_id = p_stream;
        if v_target is null then
          stream_version := 0;
          if p_expected = ${ExpectedVersionCode.StreamExists} then status := ${WriteStatus.StreamNotFound}; return; end if;
          if p_expected > 0 then status := ${WriteStatus.WrongExpectedVersion}; return; end if;
        elsif v_deleted is not null then
          status := ${WriteStatus.StreamDeleted}; return;
        elsif p_expected = ${ExpectedVersionCode.NoStream} and stream_version > 0 then
          status := ${WriteStatus.StreamExists}; return;
        elsif p_expected >= 0 and p_expected <> stream_version then
          status := ${WriteStatus.WrongExpectedVersion}; return;
        end if;

        -- Share locks keep the events from a concurrent hard delete until we commit.
        select count(*) into v_found from (select 1 from events e where e.event_id = any(p_ids) for share) x;
        if v_found < v_count then
          status := ${WriteStatus.EventNotFound}; return;
        end if;
        if v_target is not null and (
             exists (select 1 from events e where e.event_id = any(p_ids) and e.stream_ref = v_target)
          or exists (select 1 from stream_links l where l.event_id = any(p_ids) and l.stream_ref = v_target)) then
          status := ${WriteStatus.DuplicateEvent}; return;
        end if;

        select t.stream_ref, t.stream_version into v_ref, stream_version
        from es_take_versions(p_stream, p_expected, v_count) t;
        if v_ref is null then
          select r.status, r.stream_version into status, stream_version from es_refusal(p_stream, p_expected) r;
          return;
        end if;

        insert into stream_links (stream_ref, stream_version, event_id)
        select v_ref, stream_version - v_count + u.n, u.id
        from unnest(p_ids) with ordinality as u(id, n);
        status := ${WriteStatus.Ok};
        perform pg_notify(es_channel(), '${NOTIFY_LINK}');
      end $$;`);

    // Soft or hard delete, after the expected-version check on the locked row.
    this.addSql(`create function es_delete(p_stream text, p_expected bigint, p_hard boolean,
        out status int, out stream_version bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_deleted timestamptz;
      begin
        select s.id, s.version, s.deleted_at into v_ref, stream_version, v_deleted
        from streams s where s.stream_id = p_stream for update;
        if not found then
          status := ${WriteStatus.StreamNotFound}; stream_version := 0; return;
        elsif v_deleted is not null then
          status := ${WriteStatus.StreamDeleted}; return;
        elsif p_expected = ${ExpectedVersionCode.NoStream} and stream_version > 0 then
          status := ${WriteStatus.StreamExists}; return;
        elsif p_expected >= 0 and p_expected <> stream_version then
          status := ${WriteStatus.WrongExpectedVersion}; return;
        end if;

        if p_hard then
          -- Waits for links of these events still in flight (they hold share
          -- locks until they commit), so that the next statements see them.
          perform 1 from events e where e.stream_ref = v_ref for update;
          delete from stream_links l where l.stream_ref = v_ref;
          delete from stream_links l where l.event_id in (select e.event_id from events e where e.stream_ref = v_ref);
          delete from events e where e.stream_ref = v_ref;
          delete from streams s where s.id = v_ref;
        else
          update streams s set deleted_at = now() where s.id = v_ref;
        end if;
        status := ${WriteStatus.Ok};
      end $$;`);
  }

  override async down(): Promise<void> {
    for (const fn of [
      'es_delete(text, bigint, boolean)',
      'es_link(text, bigint, uuid[])',
      'es_append(text, bigint, uuid[], text[], jsonb[], jsonb[], uuid[], uuid[], boolean)',
      'es_sequence(xid8)',
      'es_recover(bigint, xid8)',
      'es_snapshot_state(xid8)',
      'es_sweep(xid8)',
      'es_refusal(text, bigint)',
      'es_take_versions(text, bigint, int)',
      'es_sequencer_key()',
      'es_channel()',
    ]) {
      this.addSql(`drop function if exists ${fn};`);
    }
  }
}
