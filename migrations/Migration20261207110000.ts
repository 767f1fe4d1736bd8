import { Migration } from '@mikro-orm/migrations';
import { WriteStatus, expectedVersionStatusSql } from '../src/protocol';

/**
 * Retention (docs/retention.md): per-stream limits and truncation.
 *
 * - `stream_retention`: a stream's limits (`max_count`, `max_age_ms`, kept by
 *   the retention job) and the version its history now starts at.
 * - `es_truncate` removes a stream's versions below a version: its own
 *   events (with every link to them, from any stream) and its links. The
 *   stream keeps its version. In `$all` their positions become gaps: the
 *   position ranges they filled alone are deleted (the newest range stays,
 *   as a gap marker with stream 0, since the sequencer continues from it);
 *   ranges still holding later versions stay and skip the removed ones, as
 *   reads of a range look up its events by version.
 * - `es_delete`: a hard delete also removes the stream's snapshot and its
 *   retention row.
 *
 * Status codes as in Migration20261129103000, plus 7: the version is beyond
 * the stream's version + 1.
 */
export class Migration20261207110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "stream_retention" ("stream_ref" bigint not null, "max_count" bigint null, "max_age_ms" bigint null, "truncated_before" bigint not null default 1, "checked_at" timestamptz null, constraint "stream_retention_pkey" primary key ("stream_ref"));`);

    this.addSql(`create function es_truncate(p_stream text, p_before bigint,
        out status int, out stream_version bigint, out removed bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_deleted timestamptz; v_newest bigint; v_links bigint;
      begin
        removed := 0;
        -- The stream row's lock keeps appends and links to the stream out until we commit.
        select s.id, s.version, s.deleted_at into v_ref, stream_version, v_deleted
        from streams s where s.stream_id = p_stream for update;
        if not found then
          status := 3; stream_version := 0; return;
        elsif v_deleted is not null then
          status := 4; return;
        elsif p_before > stream_version + 1 then
          status := 7; return;
        end if;

        -- Waits for links to these events still in flight (they hold share
        -- locks until they commit), so that the next statements see them.
        perform 1 from events e where e.stream_ref = v_ref and e.stream_version < p_before for update;
        delete from stream_links l
        where l.event_id in (select e.event_id from events e where e.stream_ref = v_ref and e.stream_version < p_before);
        with gone as (delete from stream_links l where l.stream_ref = v_ref and l.stream_version < p_before returning 1)
        select count(*) into v_links from gone;
        with gone as (delete from events e where e.stream_ref = v_ref and e.stream_version < p_before returning 1)
        select count(*) + v_links into removed from gone;

        select max(r.first_position) into v_newest from all_positions r;
        delete from all_positions r
        where r.stream_ref = v_ref and r.first_version < p_before and r.first_version + r.count <= p_before
          and r.first_position <> v_newest;
        update all_positions r set stream_ref = 0
        where r.first_position = v_newest and r.stream_ref = v_ref and r.first_version + r.count <= p_before;

        insert into stream_retention as t (stream_ref, truncated_before) values (v_ref, p_before)
        on conflict (stream_ref) do update set truncated_before = greatest(t.truncated_before, excluded.truncated_before);
        status := 0;
      end $$;`);

    this.addSql(deleteFunction(`
          delete from snapshots n where n.source_id = p_stream;
          delete from stream_retention t where t.stream_ref = v_ref;`));
  }

  override async down(): Promise<void> {
    this.addSql(deleteFunction(''));
    this.addSql('drop function if exists es_truncate(text, bigint);');
    this.addSql('drop table if exists "stream_retention" cascade;');
  }
}

/**
 * es_delete as defined by Migration20261129103000, with `onHardDelete` run
 * after a hard delete's own deletes, and the expected-version rules of
 * src/protocol.ts on the locked row.
 */
function deleteFunction(onHardDelete: string): string {
  return `create or replace function es_delete(p_stream text, p_expected bigint, p_hard boolean,
        out status int, out stream_version bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_deleted timestamptz;
      begin
        select s.id, s.version, s.deleted_at into v_ref, stream_version, v_deleted
        from streams s where s.stream_id = p_stream for update;
        if not found then
          -- Nothing to delete, whatever the expected version.
          status := ${WriteStatus.StreamNotFound}; stream_version := 0; return;
        end if;
        status := ${expectedVersionStatusSql({ expected: 'p_expected', exists: 'true', version: 'stream_version', deleted: 'v_deleted is not null' })};
        if status <> ${WriteStatus.Ok} then
          return;
        end if;

        if p_hard then
          -- Waits for links of these events still in flight (they hold share
          -- locks until they commit), so that the next statements see them.
          perform 1 from events e where e.stream_ref = v_ref for update;
          delete from stream_links l where l.stream_ref = v_ref;
          delete from stream_links l where l.event_id in (select e.event_id from events e where e.stream_ref = v_ref);
          delete from events e where e.stream_ref = v_ref;
          delete from streams s where s.id = v_ref;${onHardDelete}
        else
          update streams s set deleted_at = now() where s.id = v_ref;
        end if;
        status := ${WriteStatus.Ok};
      end $$;`;
}
