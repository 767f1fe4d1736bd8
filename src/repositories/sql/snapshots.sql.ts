/** Snapshots: one row per source, replaced by each record of the same or a newer source version. */
import type { Statement } from '../sql-runner';
import type { SchemaSql } from './naming';

export function snapshotStatements(s: SchemaSql) {
  return {
    record: {
      name: s.name('snapshot_record'),
      text: `insert into ${s.t('snapshots')} (source_id, source_version, source_type, data, metadata)
             values ($1, $2, $3, $4::jsonb, $5::jsonb)
             on conflict (source_id) do update set source_version = excluded.source_version,
               source_type = excluded.source_type, data = excluded.data, metadata = excluded.metadata,
               created_at = now()
             -- An older snapshot never replaces a newer one (the conflict's row lock
             -- makes this hold for concurrent writers too), unless the stored one is
             -- ahead of its stream, which was hard-deleted and begun again.
             where ${s.t('snapshots')}.source_version <= excluded.source_version
                or ${s.t('snapshots')}.source_version > (select st.version from ${s.t('streams')} st where st.stream_id = excluded.source_id)`,
    } satisfies Statement,
    read: {
      name: s.name('snapshot_read'),
      text: `select source_id, source_version, source_type, data, metadata, created_at
             from ${s.t('snapshots')} where source_id = $1`,
    } satisfies Statement,
    delete: {
      name: s.name('snapshot_delete'),
      text: `delete from ${s.t('snapshots')} where source_id = $1`,
    } satisfies Statement,
  };
}
