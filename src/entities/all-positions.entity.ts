import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The `$all` stream, one row per sequenced append: positions
 * `first_position .. first_position + count - 1` are versions
 * `first_version ..` of stream `stream_ref`. Inserted only by the sequencer,
 * which keeps its own state (the snapshot it last numbered with) on the newest row.
 */
@Entity({ tableName: 'all_positions' })
@Index({ name: 'all_positions_stream_ref_first_version_index', properties: ['streamRef', 'firstVersion'] })
export class AllPositionsEntity {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  firstPosition!: number;

  @Property({ type: new BigIntType('number') })
  streamRef!: number;

  @Property({ type: new BigIntType('number') })
  firstVersion!: number;

  @Property({ type: 'integer' })
  count!: number;

  /** Sequencer state: xmax of the snapshot this sweep numbered with (newest row only). */
  @Property({ columnType: 'xid8', type: 'string', nullable: true })
  snapshotXmax?: string;

  /** Sequencer state: transactions in progress in that snapshot (newest row only). */
  @Property({ columnType: 'xid8[]', type: 'string[]', nullable: true })
  snapshotXip?: string[];
}
