/**
 * How a subscription makes a failure known: to `onError`, to `error`
 * listeners, and, when nobody listens, to MikroORM's logger (an `error`
 * event without listeners would throw out of the delivery loop). What is
 * reported always has a class and a `code`: a driver's error arrives as a
 * `StoreOperationError` naming the subscription (`label`).
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '@mikro-orm/core';
import { reportedError } from '../errors';
import type { SubscriptionEvents, SubscriptionState } from './subscription-options';

export function reportError<S extends EventEmitter<SubscriptionEvents>>(
  subscription: S,
  failure: Error,
  onError: ((error: Error, subscription: S) => void) | undefined,
  logger: Logger,
  label: string,
): void {
  const error = reportedError(failure, label);
  const listened = subscription.listenerCount('error') > 0;
  if (onError) {
    try {
      onError(error, subscription);
    } catch {
      // the callback's own failure must not stop delivery
    }
  }
  if (listened) subscription.emit('error', error);
  if (!listened && !onError) logger.error('info', `[eventstore] ${label}: ${error.message}`);
}

/** A new state, to `onState` (which sees every state, the first included) and to `state` listeners. */
export function notifyState<S extends EventEmitter<SubscriptionEvents>>(
  subscription: S,
  state: SubscriptionState,
  onState: ((state: SubscriptionState, subscription: S) => void) | undefined,
): void {
  if (onState) {
    try {
      onState(state, subscription);
    } catch {
      // the callback's own failure must not stop delivery
    }
  }
  subscription.emit('state', state);
}
