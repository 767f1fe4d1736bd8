/**
 * The SQL of parked events (see entities/parked-event.entity.ts): park one
 * inside a projection's batch transaction, list, lock one for a replay,
 * delete it once replayed (or all of them when the projection is rebuilt),
 * and count a failed replay.
 */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';

const COLUMNS = 'projection, position, event_id, stream_id, stream_version, event_type, error, error_code, error_stack, attempts, parked_at';

export function parkedStatements(s: SchemaSql) {
  const table = s.t('parked_events');
  return {
    /** `$1` projection, `$2` position, `$3` event id, `$4` stream id, `$5` stream version, `$6` type, `$7` message, `$8` code, `$9` stack, `$10` attempts. */
    park: {
      name: s.name('parked_insert'),
      text: `insert into ${table} (projection, position, event_id, stream_id, stream_version, event_type, error, error_code, error_stack, attempts)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             on conflict (projection, position) do update
               set error = excluded.error, error_code = excluded.error_code, error_stack = excluded.error_stack,
                   attempts = ${table}.attempts + excluded.attempts, parked_at = now()`,
    } satisfies Statement,

    /** `$1` projection: its parked events in `$all` order. */
    list: {
      name: s.name('parked_list'),
      text: `select ${COLUMNS} from ${table} where projection = $1 order by position`,
    } satisfies Statement,

    /** `$1` projection, `$2` position: the row, locked for a replay (none: replayed or being replayed elsewhere). */
    lock: {
      name: s.name('parked_lock'),
      text: `select ${COLUMNS} from ${table} where projection = $1 and position = $2 for update skip locked`,
    } satisfies Statement,

    /** `$1` projection: all of its parked events (a rebuild replays them with the rest). */
    clear: {
      name: s.name('parked_clear'),
      text: `delete from ${table} where projection = $1`,
    } satisfies Statement,

    /** `$1` projection, `$2` position: replayed. */
    remove: {
      name: s.name('parked_remove'),
      text: `delete from ${table} where projection = $1 and position = $2`,
    } satisfies Statement,

    /** `$1` projection, `$2` position, `$3` message, `$4` code, `$5` stack: a replay failed. */
    replayFailed: {
      name: s.name('parked_replay_failed'),
      text: `update ${table} set attempts = attempts + 1, error = $3, error_code = $4, error_stack = $5
             where projection = $1 and position = $2 returning attempts`,
    } satisfies Statement,
  };
}

export type ParkedStatements = ReturnType<typeof parkedStatements>;

/** A row of the parked events table. */
export interface ParkedRow {
  projection: string;
  position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  event_type: string;
  error: string;
  error_code: string | null;
  error_stack: string | null;
  attempts: number;
  parked_at: Date;
}
