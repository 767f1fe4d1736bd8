/** The data keys table: find, create and destroy subjects' keys; snapshots that hold a subject's data. */
import type { SchemaSql } from '../../repositories/sql/naming';
import type { Statement } from '../../repositories/sql-runner';

export interface KeyRow {
  subject_id: string;
  generation: number;
  wrapped_key: Buffer | null;
}

/** The snapshot metadata key that lists the subjects whose data a snapshot holds (sealed under their keys). */
export const SNAPSHOT_SUBJECTS_KEY = 'personalDataSubjects';

export function keyStatements(s: SchemaSql) {
  const keys = s.t('personal_data_keys');
  return {
    /** Each subject's newest key (null wrapped_key: forgotten). */
    latest: {
      name: s.name('pd_latest'),
      text: `select distinct on (subject_id) subject_id, generation, wrapped_key from ${keys}
             where subject_id = any($1::text[]) order by subject_id, generation desc`,
    } satisfies Statement,
    /** Every key of the subjects, forgotten ones included. */
    allOf: {
      name: s.name('pd_all_of'),
      text: `select subject_id, generation, wrapped_key from ${keys} where subject_id = any($1::text[])`,
    } satisfies Statement,
    /** New keys; a (subject, generation) another writer created first is left as it is. */
    create: {
      name: s.name('pd_create'),
      text: `insert into ${keys} (subject_id, generation, wrapped_key)
             select * from unnest($1::text[], $2::int[], $3::bytea[])
             on conflict (subject_id, generation) do nothing returning subject_id`,
    } satisfies Statement,
    /** Destroys the subject's keys; returns the generations destroyed. */
    forget: {
      name: s.name('pd_forget'),
      text: `update ${keys} set wrapped_key = null, forgotten_at = now()
             where subject_id = $1 and wrapped_key is not null returning generation`,
    } satisfies Statement,
    /** A subject forgotten before any key: a destroyed first generation, so that a later key is the second. */
    tombstone: {
      name: s.name('pd_tombstone'),
      text: `insert into ${keys} (subject_id, generation, wrapped_key, forgotten_at) values ($1, 1, null, now())
             on conflict (subject_id, generation) do nothing returning generation`,
    } satisfies Statement,
    /** One usable key, to check the master key when the store starts. */
    anyLive: {
      name: s.name('pd_any_live'),
      text: `select subject_id, generation, wrapped_key from ${keys} where wrapped_key is not null limit 1`,
    } satisfies Statement,
    deleteSnapshots: {
      name: s.name('pd_delete_snapshots'),
      text: `delete from ${s.t('snapshots')} where jsonb_exists(metadata -> '${SNAPSHOT_SUBJECTS_KEY}', $1)`,
    } satisfies Statement,
  };
}
