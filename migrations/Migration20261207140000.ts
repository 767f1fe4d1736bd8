import { Migration } from '@mikro-orm/migrations';
import { NOTIFY_LINK, WriteStatus, expectedVersionStatusSql, takeVersionsSql } from '../src/protocol';
import { Migration20261129103000 } from './Migration20261129103000';

/**
 * The expected-version rules of `es_link` come from src/protocol.ts (as
 * those of es_append and es_delete do): its check before the events are
 * looked at, the statement that locks the stream row and takes its
 * versions (es_take_versions did), and its explanation of a refusal
 * (es_refusal did). Nothing calls those two any more: they are dropped.
 */
export class Migration20261207140000 extends Migration {
  override async up(): Promise<void> {
    // Links existing events into a stream at its next versions. The stream's
    // state is checked first, as for an append (a deleted stream or a wrong
    // expected version wins over unknown or duplicate events); unlocked here,
    // then again as the stream row is locked and its versions taken.
    this.addSql(`create or replace function es_link(p_stream text, p_expected bigint, p_ids uuid[],
        out status int, out stream_version bigint)
      language plpgsql set search_path from current as $$
      declare v_ref bigint; v_target bigint; v_deleted timestamptz; v_count int := cardinality(p_ids); v_found int;
      begin
        select s.id, s.version, s.deleted_at into v_target, stream_version, v_deleted
        from streams s where s.stream_id = p_stream;
        status := ${statusSql('v_target is not null')};
        stream_version := coalesce(stream_version, 0);
        if status <> ${WriteStatus.Ok} then
          return;
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

        ${takeVersionsSql({ streams: 'streams', stream: 'p_stream', expected: 'p_expected', count: 'v_count', into: 'v_ref, stream_version' })}
        if v_ref is null then
          -- Refused on the locked row: why, from the committed state. A state
          -- that would now be accepted moved meanwhile: still refused.
          select s.version, s.deleted_at into stream_version, v_deleted from streams s where s.stream_id = p_stream;
          status := ${statusSql('stream_version is not null')};
          if status = ${WriteStatus.Ok} then status := ${WriteStatus.WrongExpectedVersion}; end if;
          stream_version := coalesce(stream_version, 0);
          return;
        end if;

        insert into stream_links (stream_ref, stream_version, event_id)
        select v_ref, stream_version - v_count + u.n, u.id
        from unnest(p_ids) with ordinality as u(id, n);
        status := ${WriteStatus.Ok};
        perform pg_notify(es_channel(), '${NOTIFY_LINK}');
      end $$;`);

    this.addSql('drop function if exists es_refusal(text, bigint);');
    this.addSql('drop function if exists es_take_versions(text, bigint, int);');
  }

  override async down(): Promise<void> {
    // es_take_versions, es_refusal and es_link as Migration20261129103000 created them.
    const first = new Migration20261129103000(this.driver, this.config);
    await first.up();
    for (const sql of first.getQueries().map(String)) {
      if (/^create function es_(take_versions|refusal|link)\(/.test(sql)) this.addSql(sql.replace(/^create function/, 'create or replace function'));
    }
  }
}

/** The expected-version rules (src/protocol.ts) on the state es_link read: `exists` says whether it found the row. */
function statusSql(exists: string): string {
  return expectedVersionStatusSql({ expected: 'p_expected', exists, version: 'stream_version', deleted: 'v_deleted is not null' });
}
