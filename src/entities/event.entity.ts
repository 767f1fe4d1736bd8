import { BigIntType, Entity, Index, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * Every event once. An event belongs to the stream it was appended to
 * (`stream_ref`, `stream_version`); the unique key on that pair settles
 * concurrent writers and makes stream reads and `$all` reads index range scans.
 * Its `$all` position is not stored here: see `AllPositionsEntity`.
 */
@Entity({ tableName: 'events' })
@Unique({ name: 'events_stream_ref_stream_version_unique', properties: ['streamRef', 'streamVersion'] })
// Filtered `$all` reads find a range's events of some types in one probe.
@Index({ name: 'events_event_type_stream_ref_stream_version_index', properties: ['eventType', 'streamRef', 'streamVersion'] })
export class EventEntity {
  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: new BigIntType('number') })
  streamRef!: number;

  @Property({ type: new BigIntType('number') })
  streamVersion!: number;

  @Property({ type: 'text' })
  eventType!: string;

  @Property({ type: 'jsonb' })
  data!: unknown;

  @Property({ type: 'jsonb', nullable: true })
  metadata?: Record<string, unknown>;

  @Property({ type: 'uuid', nullable: true })
  causationId?: string;

  @Property({ type: 'uuid', nullable: true })
  correlationId?: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;
}
