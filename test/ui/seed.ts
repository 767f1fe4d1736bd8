/**
 * The store the event browser's specs look at: orders with correlated
 * events, a customer with a large event, a deleted cart, a persistent
 * subscription left behind, a projection that counts orders, and one that
 * parks the orders it cannot take.
 */
import { randomUUID } from 'node:crypto';
import { EventStore, ExpectedVersion, Handles, Projection, ProjectionContext, ProjectionRunner } from '../../src';
import { DomainEvent } from '../../src';
import { eventually } from '../support/wait';

export const ORDERS = 12;
export const BIG_NOTE = 'Delivered to the back door; '.repeat(80);

@DomainEvent('UiSpecOrderPlaced')
export class OrderPlaced {
  constructor(readonly orderId: string, readonly total: number) {}
}

/** Counts the orders it sees; its read model lives in memory. */
@Projection('ui-order-count')
export class OrderCount {
  count = 0;
  @Handles(OrderPlaced)
  placed(_event: OrderPlaced, _ctx: ProjectionContext): void {
    this.count += 1;
  }
  reset(): void {
    this.count = 0;
  }
}

/** A poison event's error carries a code. */
export class RefusedOrderError extends Error {
  readonly code = 'E_UI_REFUSED';
}

/** Audits orders; it fails at the totals in `refused` and parks those events after two attempts. */
@Projection('ui-order-audit', { poisonEvents: 'park', maxAttempts: 2 })
export class OrderAudit {
  /** Totals whose audit throws; the specs clear it before a replay. */
  static refused = new Set<number>([30]);
  audited: string[] = [];
  @Handles(OrderPlaced)
  placed(event: OrderPlaced, _ctx: ProjectionContext): void {
    if (OrderAudit.refused.has(event.total)) throw new RefusedOrderError(`refused order total ${event.total}`);
    this.audited.push(event.orderId);
  }
  reset(): void {
    this.audited = [];
  }
}

/** Checks orders and stops (the `failed` state) at the first total of 40: order-4's. */
@Projection('ui-order-check', { maxAttempts: 1 })
export class OrderCheck {
  @Handles(OrderPlaced)
  placed(event: OrderPlaced, _ctx: ProjectionContext): void {
    if (event.total === 40) throw new RefusedOrderError(`cannot check order total ${event.total}`);
  }
  reset(): void {}
}

/** Waits until each named projection of the runner has no lag. */
export async function caughtUp(runner: ProjectionRunner, names: string[], timeoutMs = 15_000): Promise<void> {
  const lags = () => Promise.all(names.map((name) => runner.lag(name)));
  await eventually(lags, (all) => all.every((lag) => lag === 0), `projections ${names.join(', ')} catch up`, { timeoutMs, intervalMs: 50 });
}

export interface Seeded {
  /** The correlation id shared by order-1's events. */
  correlationId: string;
  /** The event id of order-1's first event (the cause of its second). */
  firstEventId: string;
}

export async function seedStore(store: EventStore): Promise<Seeded> {
  const correlationId = randomUUID();
  const firstEventId = randomUUID();
  for (let i = 1; i <= ORDERS; i++) {
    const correlation = i === 1 ? correlationId : randomUUID();
    const placedId = i === 1 ? firstEventId : randomUUID();
    await store.appendToStream(`order-${i}`, ExpectedVersion.NoStream, [
      { eventId: placedId, eventType: 'UiSpecOrderPlaced', data: { orderId: `order-${i}`, total: 10 * i }, metadata: { user: 'ada' }, correlationId: correlation },
      { eventType: 'ItemAdded', data: { sku: `SKU-${100 + i}`, quantity: i % 3 + 1 }, causationId: placedId, correlationId: correlation },
      ...(i % 2 === 0 ? [{ eventType: 'OrderShipped', data: { carrier: 'DHL' }, correlationId: correlation }] : []),
    ]);
  }
  await store.appendToStream('customer-7', ExpectedVersion.NoStream, [
    { eventType: 'CustomerRegistered', data: { name: 'Ada Lovelace', email: 'ada@example.com' } },
    { eventType: 'DeliveryNoted', data: { note: BIG_NOTE } },
  ]);
  await store.appendToStream('cart-3', ExpectedVersion.NoStream, [{ eventType: 'CartOpened', data: {} }]);
  await store.deleteStream('cart-3', ExpectedVersion.Any);
  // A subscription that acknowledged the first ten events and stopped: it lags behind.
  await new Promise<void>((resolve, reject) => {
    store.subscribeToAllStreams('email-sender', async (events, sub) => {
      const upTo = events.filter((event) => event.position <= 10);
      if (upTo.length > 0) await sub.ack(upTo.at(-1)!);
      if (events.some((event) => event.position >= 10)) {
        await sub.unsubscribe();
        resolve();
      }
    }, { bufferSize: 5 }).catch(reject);
  });
  return { correlationId, firstEventId };
}
