/** Helpers of the subscription tests: handlers that record what they get, and bounded waits. */
import type { RecordedEvent, Subscription, SubscriptionState } from '../../src';
import { withClient } from '../support/stores';
import { sleep, waitUntil } from '../support/wait';

export { sleep, waitUntil };

export function waitForState(subscription: Subscription<any>, state: SubscriptionState, timeoutMs?: number): Promise<void> {
  return waitUntil(() => subscription.state === state, `the subscription is ${state} (it is ${subscription.state})`, timeoutMs);
}

/** A handler that records batches and (unless told otherwise) acknowledges each batch. */
export class Recorder<T = RecordedEvent> {
  readonly batches: T[][] = [];
  readonly errors: Error[] = [];
  ack = true;

  readonly handler = async (events: T[], subscription: Subscription<T>): Promise<void> => {
    this.batches.push(events);
    if (this.ack) await subscription.ack(events);
  };

  readonly onError = (error: Error): void => {
    this.errors.push(error);
  };

  get events(): T[] {
    return this.batches.flat();
  }

  numbers(): number[] {
    return this.events.map((event) => (event as unknown as RecordedEvent).eventNumber);
  }

  waitForCount(count: number, timeoutMs?: number): Promise<void> {
    return waitUntil(() => this.events.length >= count, `${count} events arrived (got ${this.events.length})`, timeoutMs);
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The stored row of a subscription, or undefined. */
export async function subscriptionRow(schema: string, streamId: string, name: string): Promise<{ id: number; last_seen: number; epoch: number; owner: string | null } | undefined> {
  return withClient(async (client) => {
    const { rows } = await client.query(
      `select id::int, last_seen::int, epoch::int, owner from "${schema}".subscriptions where stream_id = $1 and name = $2`, [streamId, name]);
    return rows[0];
  });
}

export async function checkpointOf(schema: string, streamId: string, name: string): Promise<number | undefined> {
  return (await subscriptionRow(schema, streamId, name))?.last_seen;
}

/**
 * Names unique within a suite (`unique('sub')` → `sub-1`, `sub-2`, …) and
 * `track`, which keeps the subscriptions a test opens so that they are
 * unsubscribed after it (an `afterEach` of the calling suite).
 */
export function trackedSubscriptions() {
  let n = 0;
  const open: Subscription<any>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
  });
  return {
    unique: (label: string) => `${label}-${++n}`,
    track: <S extends Subscription<any>>(sub: S): S => {
      open.push(sub);
      return sub;
    },
  };
}
