import { BigIntType, Entity, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One narrow row per append, written in the append's transaction: which
 * transaction (`tx`) appended which versions of which stream. The sequencer
 * finds the committed appends it has not numbered yet by transaction id
 * (see docs/ordering.md); rows are never updated or deleted.
 */
@Entity({ tableName: 'append_log' })
@Index({ name: 'append_log_tx_seq_index', properties: ['tx', 'seq'] })
export class AppendLogEntity {
  /** Drawn after the stream's row lock, so a stream's appends are in `seq` order. */
  @PrimaryKey({ type: new BigIntType('number'), generated: 'by default as identity' })
  seq!: number;

  @Property({ columnType: 'xid8', type: 'string', defaultRaw: 'pg_current_xact_id()' })
  tx!: string & Opt;

  @Property({ type: new BigIntType('number') })
  streamRef!: number;

  @Property({ type: new BigIntType('number') })
  firstVersion!: number;

  @Property({ type: 'integer' })
  count!: number;
}
