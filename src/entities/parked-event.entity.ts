import { BigIntType, Entity, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An event a projection set aside after `maxAttempts` failed attempts (its
 * `poisonEvents: 'park'` option): the projection's checkpoint moved past it
 * in the transaction that wrote this row. `runner.replayParked(name)`
 * applies it again and deletes the row when it succeeds.
 */
@Entity({ tableName: 'parked_events' })
@Unique({ name: 'parked_events_projection_position_unique', properties: ['projection', 'position'] })
export class ParkedEventEntity {
  @PrimaryKey({ type: new BigIntType('number'), generated: 'by default as identity' })
  id!: number;

  /** The projection's name (as given to `@Projection`). */
  @Property({ type: 'text' })
  projection!: string;

  /** The event's `$all` position. */
  @Property({ type: new BigIntType('number') })
  position!: number;

  @Property({ type: 'uuid' })
  eventId!: string;

  /** The event's own stream and version. */
  @Property({ type: 'text' })
  streamId!: string;

  @Property({ type: new BigIntType('number') })
  streamVersion!: number;

  @Property({ type: 'text' })
  eventType!: string;

  /** The last failure's message. */
  @Property({ type: 'text' })
  error!: string;

  /** That error's `code`, when it had a string one. */
  @Property({ type: 'text', nullable: true })
  errorCode?: string;

  @Property({ type: 'text', nullable: true })
  errorStack?: string;

  /** Failed attempts so far (those of the projection, then those of replays). */
  @Property({ type: 'integer' })
  attempts!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  parkedAt!: Date & Opt;
}
