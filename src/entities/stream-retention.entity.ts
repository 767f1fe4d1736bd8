import { BigIntType, Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The retention state of one stream: its limits (kept by the retention job)
 * and how far it has been truncated. No row: no limits, never truncated.
 */
@Entity({ tableName: 'stream_retention' })
export class StreamRetentionEntity {
  /** The stream (`streams.id`). */
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  streamRef!: number;

  /** Keep at most this many of the stream's latest versions. */
  @Property({ type: new BigIntType('number'), nullable: true })
  maxCount?: number;

  /** Keep only events younger than this many milliseconds. */
  @Property({ type: new BigIntType('number'), nullable: true })
  maxAgeMs?: number;

  /** Versions below this one were removed (1: none). */
  @Property({ type: new BigIntType('number'), default: 1 })
  truncatedBefore: number & Opt = 1;

  /** When the retention job last looked at the stream (it takes the least recently checked first). */
  @Property({ type: 'timestamptz', nullable: true })
  checkedAt?: Date;
}
