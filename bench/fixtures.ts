/**
 * The one event every contender writes: an "AccountCredited" with 214 bytes
 * of JSON data and 81 bytes of metadata (as in the earlier anchor suite), and
 * a fresh event id each time.
 */
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface BenchEvent {
  eventId: string;
  eventType: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export type EventIdKind = 'v4' | 'v7';

export const EVENT_TYPE = 'AccountCredited';

export const EVENT_DATA = Object.freeze({
  accountId: '4f1c2e8a-9b7d-4c3e-8f2a-1d5e6b7c8a90',
  amount: 125.55,
  currency: 'EUR',
  balance: 10342.75,
  reference: 'INV-000123',
  description: 'Monthly fee',
  creditedAt: '2026-11-29T10:15:30.123Z',
  channel: 'sepa',
});

export const EVENT_METADATA = Object.freeze({
  userId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
  source: 'billing-api-eu-west1',
});

export const EVENT_DATA_BYTES = JSON.stringify(EVENT_DATA).length;
export const EVENT_METADATA_BYTES = JSON.stringify(EVENT_METADATA).length;

export function makeEvents(count: number, ids: EventIdKind): BenchEvent[] {
  const id = ids === 'v7' ? uuidv7 : randomUUID;
  const events: BenchEvent[] = new Array(count);
  for (let i = 0; i < count; i++) events[i] = { eventId: id(), eventType: EVENT_TYPE, data: EVENT_DATA, metadata: EVENT_METADATA };
  return events;
}

/** A stream id no other call of this process has used. */
export function newStreamId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
