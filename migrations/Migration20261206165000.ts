import { Migration } from '@mikro-orm/migrations';
import { ExpectedVersionCode, NOTIFY_WRITE, WriteStatus } from '../src/protocol';

/**
 * Idempotent appends: appending again exactly the events one earlier append
 * stored (same ids, same order, same stream) returns that append's result
 * and writes nothing, whatever the expected version (docs/ordering.md).
 *
 * The check costs nothing on an append that succeeds: `es_append` calls
 * `es_replay` only when its version check fails, and the client calls it only
 * after the events' primary key refused an id (the append's transaction is
 * then already rolled back). "Exactly one earlier append" means: the ids are
 * stored in that stream at consecutive versions v..v+n-1 in the given order,
 * and one append (one `append_log` row, hence one `all_positions` row once
 * numbered) wrote versions v..v+n-1, no more, no fewer.
 */
export class Migration20261206165000 extends Migration {
  override async up(): Promise<void> {
    // The original result of the append that stored exactly p_ids in p_stream,
    // or no row. last_position is null while that append is not numbered yet;
    // tx is then its transaction, for the client to wait for its position.
    this.addSql(inSchema(`create or replace function {s}.es_replay(p_stream text, p_ids uuid[])
      returns table (stream_version bigint, tx xid8, last_position bigint)
      language plpgsql as $$
      declare
        v_ref bigint; v_first bigint; v_count int := cardinality(p_ids);
        v_xmax xid8; v_xip xid8[]; v_tx xid8; v_last bigint; v_stored int;
      begin
        select e.stream_ref, e.stream_version into v_ref, v_first
        from {s}.events e join {s}.streams s on s.id = e.stream_ref
        where e.event_id = p_ids[1] and s.stream_id = p_stream;
        if not found then
          return;
        end if;
        if (select array_agg(e.event_id order by e.stream_version) from {s}.events e
            where e.stream_ref = v_ref and e.stream_version between v_first and v_first + v_count - 1)
           is distinct from p_ids then
          return;
        end if;

        -- The sequencer's state is read before the numbered appends: an
        -- append it has not numbered is then still pending in that state
        -- (its tx at or past xmax, or in progress), found by the tx index.
        select r.snapshot_xmax, r.snapshot_xip into v_xmax, v_xip
        from {s}.all_positions r order by r.first_position desc limit 1;
        select r.first_position + r.count - 1, r.count into v_last, v_stored
        from {s}.all_positions r where r.stream_ref = v_ref and r.first_version = v_first;
        if not found then
          select a.tx, a.count into v_tx, v_stored
          from {s}.append_log a
          where (a.tx >= coalesce(v_xmax, '0') or a.tx = any(coalesce(v_xip, '{}')))
            and a.stream_ref = v_ref and a.first_version = v_first;
          if not found then
            return;
          end if;
        end if;
        -- Not a prefix of a bigger append (the ids are all stored and
        -- consecutive, so neither can the batch span two appends).
        if v_stored <> v_count then
          return;
        end if;
        return query select v_first + v_count - 1, v_tx, v_last;
      end $$`));

    this.addSql(inSchema(appendFunction(`
          select r.stream_version, r.tx, r.last_position into stream_version, tx, last_position
          from {s}.es_replay(p_stream, p_ids) r;
          if found then
            status := ${WriteStatus.Ok};
            return;
          end if;`)));
  }

  override async down(): Promise<void> {
    this.addSql(inSchema(appendFunction('')));
    this.addSql('drop function if exists es_replay(text, uuid[]);');
  }
}

/**
 * es_append as defined by Migration20261206120000, with `onRefusal` run when
 * the expected version is refused, before the refusal is explained.
 */
function appendFunction(onRefusal: string): string {
  return `create or replace function {s}.es_append(p_stream text, p_expected bigint,
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
        if v_ref is null then${onRefusal}
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
      end $$`;
}

/** A DO block that creates the function `sql` with `{s}` replaced by the quoted current schema. */
function inSchema(sql: string): string {
  return `do $do$ begin execute replace($fn$${sql}$fn$, '{s}.', quote_ident(current_schema()) || '.'); end $do$;`;
}
