import { BigIntType, Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** An event linked into another stream, at that stream's next version. */
@Entity({ tableName: 'stream_links' })
@Unique({ name: 'stream_links_event_id_stream_ref_unique', properties: ['eventId', 'streamRef'] })
export class StreamLinkEntity {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  streamRef!: number;

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  streamVersion!: number;

  @Property({ type: 'uuid' })
  eventId!: string;
}
