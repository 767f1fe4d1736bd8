/**
 * `@EventStoreSubscription(name, options)` marks a provider as the handler of
 * a persistent subscription: the module subscribes it when the application
 * starts and unsubscribes it when the application closes.
 */
import { InvalidArgumentError } from '../errors';
import type { PersistentSubscriptionOptions, Subscription } from '../subscriptions/subscription-options';
import type { RecordedEvent } from '../types';
import { ALL_STREAM } from '../protocol';
import { invalidValue } from '../validation';

export interface EventStoreSubscriptionOptions extends PersistentSubscriptionOptions {
  /** The stream followed: `$all` (the default) or one stream id. */
  stream?: string;
}

/** What a subscription provider implements; it acknowledges with `subscription.ack`. */
export interface EventStoreSubscriptionHandler {
  handle(events: RecordedEvent[], subscription: Subscription): unknown;
}

export interface SubscriptionRegistration {
  readonly name: string;
  readonly stream: string;
  readonly options: PersistentSubscriptionOptions;
}

const registrations = new WeakMap<object, SubscriptionRegistration>();

export function EventStoreSubscription(name: string, options: EventStoreSubscriptionOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidValue('@EventStoreSubscription name', 'a non-empty string', name);
  }
  if (options === null || typeof options !== 'object') {
    throw invalidValue('@EventStoreSubscription options', 'an object', options);
  }
  const { stream = ALL_STREAM, ...subscriptionOptions } = options;
  if (typeof stream !== 'string' || stream.length === 0) {
    throw invalidValue('@EventStoreSubscription stream', "'$all' or a stream id", stream);
  }
  return (target) => {
    if (typeof (target.prototype as Partial<EventStoreSubscriptionHandler>).handle !== 'function') {
      throw new InvalidArgumentError('@EventStoreSubscription', `${target.name} has no handle(events, subscription) method`);
    }
    registrations.set(target, { name, stream, options: subscriptionOptions });
  };
}

/** The registration of an instance's class (or of a base class), if it has one. */
export function subscriptionRegistrationOf(instance: object): SubscriptionRegistration | undefined {
  for (let cls: unknown = instance.constructor; typeof cls === 'function'; cls = Object.getPrototypeOf(cls)) {
    const registration = registrations.get(cls);
    if (registration) return registration;
  }
  return undefined;
}
