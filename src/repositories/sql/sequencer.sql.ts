/** The `$all` sequencer's entry points (see docs/ordering.md). */
import type { Statement } from '../sql-runner';
import type { SchemaSql } from './naming';

/** The last `$all` position given out (0 before the first), as an SQL expression: one backward index probe. */
export function lastPositionSql(s: SchemaSql): string {
  return `coalesce((select first_position + count - 1 from ${s.t('all_positions')} order by first_position desc limit 1), 0)`;
}

export function sequencerStatements(s: SchemaSql) {
  return {
    /** Waits for the sequencer lock; numbers what is pending unless `$1` (a committed append's xid) is covered already. */
    sequence: {
      name: s.name('sequence'),
      text: `select ${s.t('es_sequence')}($1::xid8) as last_position`,
    } satisfies Statement,
    /**
     * `$1`: transaction ids of committed appends; rows (tx, last_position) of
     * those numbered. `$2` true: numbers them first where needed (may take
     * the sequencer lock and sweep); false: a read-only look-up.
     */
    positions: {
      name: s.name('positions'),
      text: `select tx::text as tx, last_position from ${s.t('es_positions')}($1::xid8[], $2)`,
    } satisfies Statement,
    /** The NOTIFY channel of this store. */
    channel: { text: `select ${s.t('es_channel')}() as channel` } satisfies Statement,
    /** The last `$all` position given out. */
    lastPosition: {
      name: s.name('last_position'),
      text: `select ${lastPositionSql(s)} as last_position`,
    } satisfies Statement,
  };
}
