/**
 * Appends, links and deletes: calls of the server-side functions of
 * migrations/Migration20261129103000.ts (es_append and es_replay as last
 * redefined by migrations/Migration20261206165000.ts). Their result codes
 * are `WriteStatus` (src/protocol.ts).
 */
import type { Statement } from '../sql-runner';
import type { SchemaSql } from './naming';

export interface WriteRow {
  status: number;
  stream_version: number;
}

export interface AppendRow extends WriteRow {
  tx: string | null;
  last_position: number | null;
}

/** The original result of an append that a batch replays exactly (es_replay). */
export interface ReplayRow {
  stream_version: number;
  tx: string | null;
  last_position: number | null;
}

export function writeStatements(s: SchemaSql) {
  return {
    append: {
      name: s.name('append'),
      text: `select status, stream_version, tx::text as tx, last_position
             from ${s.t('es_append')}($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::uuid[], $8::uuid[], $9)`,
    } satisfies Statement,
    /** Only after an append's ids were refused as already stored: is it an exact retry? */
    replay: {
      name: s.name('replay'),
      text: `select stream_version, tx::text as tx, last_position from ${s.t('es_replay')}($1, $2::uuid[])`,
    } satisfies Statement,
    link: {
      name: s.name('link'),
      text: `select status, stream_version from ${s.t('es_link')}($1, $2, $3::uuid[])`,
    } satisfies Statement,
    delete: {
      name: s.name('delete'),
      text: `select status, stream_version from ${s.t('es_delete')}($1, $2, $3)`,
    } satisfies Statement,
    /** The stream's state, for the checks of an empty append. */
    streamState: {
      name: s.name('stream_state'),
      text: `select version, deleted_at from ${s.t('streams')} where stream_id = $1`,
    } satisfies Statement,
  };
}
