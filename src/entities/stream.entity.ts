import { BigIntType, Entity, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** One row per stream: the user's stream id, its current version and its deletion mark. */
@Entity({ tableName: 'streams' })
export class StreamEntity {
  /** Internal key; the other tables refer to a stream by it (`stream_ref`). */
  @PrimaryKey({ type: new BigIntType('number'), generated: 'by default as identity' })
  id!: number;

  /** The user's stream id. */
  @Property({ type: 'text' })
  @Unique({ name: 'streams_stream_id_unique' })
  streamId!: string;

  /** Number of events in the stream (own events and links); 0 before the first. */
  @Property({ type: new BigIntType('number'), default: 0 })
  version: number & Opt = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;

  /** Set by a soft delete. */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date;
}
