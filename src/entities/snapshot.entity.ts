import { BigIntType, Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/** The latest snapshot of one source (an aggregate), replaced on each record. */
@Entity({ tableName: 'snapshots' })
export class SnapshotEntity {
  @PrimaryKey({ type: 'text' })
  sourceId!: string;

  @Property({ type: new BigIntType('number') })
  sourceVersion!: number;

  @Property({ type: 'text' })
  sourceType!: string;

  @Property({ type: 'jsonb' })
  data!: unknown;

  @Property({ type: 'jsonb', nullable: true })
  metadata?: Record<string, unknown>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;
}
