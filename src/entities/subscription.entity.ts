import { BigIntType, Entity, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A persistent subscription: the stream it follows (`$all` or a stream id),
 * its checkpoint, and its ownership (see src/subscriptions/ownership.ts).
 */
@Entity({ tableName: 'subscriptions' })
@Unique({ name: 'subscriptions_stream_id_name_unique', properties: ['streamId', 'name'] })
export class SubscriptionEntity {
  @PrimaryKey({ type: new BigIntType('number'), generated: 'by default as identity' })
  id!: number;

  @Property({ type: 'text' })
  streamId!: string;

  @Property({ type: 'text' })
  name!: string;

  /** The last acknowledged event number (a `$all` position or a stream version); 0 before the first. */
  @Property({ type: new BigIntType('number'), default: 0 })
  lastSeen: number & Opt = 0;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;

  /** Fencing epoch: incremented by each new owner; checkpoints are written only with the current epoch. */
  @Property({ type: new BigIntType('number'), default: 0 })
  epoch: number & Opt = 0;

  /** Who delivers the subscription now (`host:pid:store`), or null. */
  @Property({ type: 'text', nullable: true })
  owner?: string;

  /** When the current owner took over. */
  @Property({ type: 'timestamptz', nullable: true })
  ownedSince?: Date;

  /** When the projection stopped in the `failed` state; null unless it did (see the failure columns). */
  @Property({ type: 'timestamptz', nullable: true })
  failedAt?: Date;

  /** The failure's message. */
  @Property({ type: 'text', nullable: true })
  failureMessage?: string;

  /** The failure's `code`, when the error had one. */
  @Property({ type: 'text', nullable: true })
  failureCode?: string;

  /** The `$all` position of the event it failed at. */
  @Property({ type: new BigIntType('number'), nullable: true })
  failedPosition?: number;
}
