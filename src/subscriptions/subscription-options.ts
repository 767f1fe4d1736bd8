/**
 * The public shapes of subscriptions and their options, validated and
 * completed with defaults here, once.
 */
import type { EventEmitter } from 'node:events';
import { InvalidArgumentError } from '../errors';
import { ResolvedFilter, resolveFilter } from '../repositories/read-filter';
import type { ReadFilter, RecordedEvent } from '../types';
import { assertFunction, assertStorableText, invalidValue, optionalBoolean, optionalFunction, optionalInteger, optionsObject, optionalRetryDelays } from '../validation';

/** Where a new persistent subscription starts: the beginning, the current end, or after event number n. */
export type StartFrom = 'origin' | 'current' | number;

/**
 * - `starting`: subscribing;
 * - `standby`: another process (or store) owns the subscription; waiting to take over;
 * - `catching-up`: the owner, reading what is already stored;
 * - `live`: the owner, caught up, woken by new events;
 * - `retrying`: the handler threw or a read failed; trying again after a backoff;
 * - `stalled`: the handler holds `bufferSize` unacknowledged events and has
 *   acknowledged none for `stallTimeoutMs`; nothing more is delivered until it does;
 * - `stopped`: unsubscribed, deleted, or the stream was deleted.
 */
export type SubscriptionState = 'starting' | 'standby' | 'catching-up' | 'live' | 'retrying' | 'stalled' | 'stopped';

export interface SubscriptionEvents {
  /** Every failure: a handler that threw, a read or checkpoint that failed, a lost lock. */
  error: [error: Error];
  state: [state: SubscriptionState];
}

/** What `ack` accepts: an event, a batch (its last event counts), or an event number. */
export type AckTarget<T = RecordedEvent> = number | T | RecordedEvent | ReadonlyArray<T | RecordedEvent>;

export interface Subscription<T = RecordedEvent> extends EventEmitter<SubscriptionEvents> {
  /** `$all` or the stream followed. */
  readonly streamId: string;
  /** The persistent subscription's name; undefined for a transient one. */
  readonly name: string | undefined;
  readonly state: SubscriptionState;
  /**
   * Acknowledges event n and every earlier event of its partition in flight
   * (without `partitionBy`: every event up to n). Resolves once the
   * checkpoint is written when this ack reached `checkpointThreshold`.
   * Acknowledging something not in flight throws `UnexpectedAckError`;
   * while the subscription is not the owner (standby, stopped) acks are
   * ignored, and so are acks of events handed out before an ownership
   * change (pass the events rather than their numbers for that to be
   * recognised): what was not acknowledged is delivered again.
   * A no-op on transient subscriptions.
   */
  ack(events: AckTarget<T>): Promise<void>;
  /** Stops delivery; a persistent subscription persists the checkpoint of what was acknowledged. */
  unsubscribe(): Promise<void>;
}

/** Receives ordered batches. A persistent subscription's handler acknowledges with `subscription.ack`. */
export type SubscriptionHandler<T = RecordedEvent> = (events: T[], subscription: Subscription<T>) => unknown;

export interface SubscribeOptions<T = RecordedEvent> {
  /**
   * `$all` only: the events to deliver, chosen in the database (unlike
   * `selector`, the others are never read). A persistent subscription's
   * checkpoint moves past what the filter skips.
   */
  filter?: ReadFilter;
  /** Keeps the events it returns true for; the others are skipped (and count as acknowledged). */
  selector?: (event: RecordedEvent) => boolean;
  /** Turns each selected event into what the handler receives. */
  mapper?: (event: RecordedEvent) => T;
  /** Called with every failure (as is the `error` event). */
  onError?: (error: Error, subscription: Subscription<T>) => void;
  /**
   * Called with every state, from the first (`starting`) on: unlike a
   * `state` listener attached after the subscribe call returns, it misses none.
   */
  onState?: (state: SubscriptionState, subscription: Subscription<T>) => void;
}

export interface PersistentSubscriptionOptions<T = RecordedEvent> extends SubscribeOptions<T> {
  /** Only when the subscription is first created; default 'origin'. A number n: deliver the events after n. */
  startFrom?: StartFrom;
  /** The most unacknowledged events in flight to the handler, and the largest batch; default 1000. */
  bufferSize?: number;
  /** Up to this many batches of different partitions in the handler at once; needs `partitionBy`; default 1. */
  concurrencyLimit?: number;
  /** The partition of an event: events of one partition are delivered in order, one batch at a time. */
  partitionBy?: (event: RecordedEvent) => unknown;
  /** Persist the checkpoint once this many events were acknowledged; default 1 (every ack). */
  checkpointThreshold?: number;
  /** Persist an acknowledged checkpoint at the latest this long after the ack; default 0 (off). */
  checkpointAfterMs?: number;
  /** How often a standby tries to take over; default 1000. */
  takeoverIntervalMs?: number;
  /** First delay before a failed batch or read is retried; doubles each time; default 100. */
  retryDelayMs?: number;
  /** The longest retry delay; default 30000. */
  maxRetryDelayMs?: number;
  /**
   * Acknowledge each batch when the handler returns (or its promise
   * resolves): at-least-once with the ack after the work. A handler that
   * throws acknowledges nothing and its batch is retried. Default false.
   */
  autoAck?: boolean;
  /**
   * How long the handler may hold a full buffer (`bufferSize` events) without
   * acknowledging any before the subscription reports `SubscriptionStalledError`
   * and enters the `stalled` state; 0 turns it off; default 30000.
   */
  stallTimeoutMs?: number;
}

/** Store-wide subscription settings (`EventStore.connect({ subscriptions })`). */
export interface SubscriptionSettings {
  /** The fallback poll for new events, in ms (one indexed query when idle); 0 turns it off; default 1000. */
  pollIntervalMs?: number;
  /**
   * The lease of the advisory-lock connection, in ms: a process whose lock
   * connection does not answer for half of it stops delivering; the server
   * frees its locks after all of it. Default 10000.
   */
  lockLeaseMs?: number;
}

export interface ResolvedSubscriptionSettings {
  pollIntervalMs: number;
  lockLeaseMs: number;
}

export interface ResolvedSubscribeOptions<T> {
  filter?: ResolvedFilter;
  selector?: (event: RecordedEvent) => boolean;
  mapper?: (event: RecordedEvent) => T;
  onError?: (error: Error, subscription: Subscription<T>) => void;
  onState?: (state: SubscriptionState, subscription: Subscription<T>) => void;
}

export interface ResolvedPersistentOptions<T> extends ResolvedSubscribeOptions<T> {
  startFrom: StartFrom;
  bufferSize: number;
  concurrencyLimit: number;
  partitionBy?: (event: RecordedEvent) => unknown;
  checkpointThreshold: number;
  checkpointAfterMs: number;
  takeoverIntervalMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Events read per query. */
  readBatchSize: number;
  autoAck: boolean;
  stallTimeoutMs: number;
}

export const SUBSCRIPTION_DEFAULTS = {
  bufferSize: 1000,
  concurrencyLimit: 1,
  checkpointThreshold: 1,
  checkpointAfterMs: 0,
  takeoverIntervalMs: 1000,
  retryDelayMs: 100,
  maxRetryDelayMs: 30_000,
  stallTimeoutMs: 30_000,
  pollIntervalMs: 1000,
  lockLeaseMs: 10_000,
  /** Events read per query at least (more when `bufferSize` is larger, up to the maximum). */
  minReadBatchSize: 1000,
  maxReadBatchSize: 10_000,
} as const;

export function resolveSubscriptionSettings(settings: SubscriptionSettings | undefined): ResolvedSubscriptionSettings {
  const s = optionsObject(settings, 'subscriptions') as SubscriptionSettings;
  return {
    pollIntervalMs: optionalInteger(s.pollIntervalMs, SUBSCRIPTION_DEFAULTS.pollIntervalMs, 0, 'subscriptions.pollIntervalMs'),
    lockLeaseMs: optionalInteger(s.lockLeaseMs, SUBSCRIPTION_DEFAULTS.lockLeaseMs, 100, 'subscriptions.lockLeaseMs'),
  };
}

export function resolveSubscribeOptions<T>(options: SubscribeOptions<T> | undefined): ResolvedSubscribeOptions<T> {
  const o = optionsObject(options, 'options') as SubscribeOptions<T>;
  return {
    filter: resolveFilter(o.filter),
    selector: optionalFunction(o.selector, 'options.selector'),
    mapper: optionalFunction(o.mapper, 'options.mapper'),
    onError: optionalFunction(o.onError, 'options.onError'),
    onState: optionalFunction(o.onState, 'options.onState'),
  };
}

export function resolvePersistentOptions<T>(options: PersistentSubscriptionOptions<T> | undefined): ResolvedPersistentOptions<T> {
  const o = optionsObject(options, 'options') as PersistentSubscriptionOptions<T>;
  const d = SUBSCRIPTION_DEFAULTS;
  const startFrom = o.startFrom ?? 'origin';
  if (startFrom !== 'origin' && startFrom !== 'current' && !(Number.isSafeInteger(startFrom) && (startFrom as number) >= 0)) {
    throw invalidValue('options.startFrom', "'origin', 'current' or an event number >= 0", startFrom);
  }
  const bufferSize = optionalInteger(o.bufferSize, d.bufferSize, 1, 'options.bufferSize');
  const concurrencyLimit = optionalInteger(o.concurrencyLimit, d.concurrencyLimit, 1, 'options.concurrencyLimit');
  const partitionBy = optionalFunction(o.partitionBy, 'options.partitionBy');
  if (concurrencyLimit > 1 && !partitionBy) {
    throw new InvalidArgumentError('options.concurrencyLimit', 'a limit above 1 needs options.partitionBy (events of one partition stay in order)');
  }
  const { retryDelayMs, maxRetryDelayMs } = optionalRetryDelays(o, d);
  return {
    ...resolveSubscribeOptions(o),
    startFrom,
    bufferSize,
    concurrencyLimit,
    partitionBy,
    checkpointThreshold: optionalInteger(o.checkpointThreshold, d.checkpointThreshold, 1, 'options.checkpointThreshold'),
    checkpointAfterMs: optionalInteger(o.checkpointAfterMs, d.checkpointAfterMs, 0, 'options.checkpointAfterMs'),
    takeoverIntervalMs: optionalInteger(o.takeoverIntervalMs, d.takeoverIntervalMs, 1, 'options.takeoverIntervalMs'),
    retryDelayMs,
    maxRetryDelayMs,
    readBatchSize: Math.min(Math.max(bufferSize, d.minReadBatchSize), d.maxReadBatchSize),
    autoAck: optionalBoolean(o.autoAck, 'options.autoAck'),
    stallTimeoutMs: optionalInteger(o.stallTimeoutMs, d.stallTimeoutMs, 0, 'options.stallTimeoutMs'),
  };
}

export function assertSubscriptionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw invalidValue('name', 'a non-empty string', name);
  assertStorableText(name, 'name');
}

export function assertHandler(handler: unknown): void {
  assertFunction(handler, 'handler');
}
