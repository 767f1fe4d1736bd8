/**
 * Event bodies as applications write them: four kinds of streams (orders,
 * accounts, customers, shipments), each with a creation event and a few
 * follow-up types, 100 bytes to about 1 KB of JSON (160 on average) with
 * nested objects and arrays, plus 130 bytes of the usual metadata (user,
 * tenant, source, trace).
 */
import type { Random } from './random';

export interface Payload {
  eventType: string;
  data: Record<string, unknown>;
}

export const STREAM_KINDS = ['Order', 'Account', 'Customer', 'Shipment'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

const CITIES = ['Berlin', 'Lyon', 'Porto', 'Gdańsk', 'Utrecht', 'Malmö', 'Bologna', 'Cork'];
const PRODUCTS = ['Espresso beans 1kg', 'Ceramic mug', 'Hand grinder', 'Milk jug 600ml', 'Paper filters ×100', 'Kettle 1.2l'];
const CURRENCIES = ['EUR', 'GBP', 'PLN', 'SEK'];
const CARRIERS = ['DHL', 'UPS', 'PostNL', 'GLS'];

const money = (r: Random, max: number) => Math.round(r.next() * max * 100) / 100;
const address = (r: Random) => ({
  street: `${r.int(1, 400)} ${r.pick(['Market', 'Station', 'Harbour', 'Mill'])} Street`,
  city: r.pick(CITIES),
  postcode: String(r.int(10000, 99999)),
  country: r.pick(['DE', 'FR', 'PT', 'PL', 'NL', 'SE', 'IT', 'IE']),
});

/** The body of version `version` of a stream of `kind` with id `id`. */
export function payload(kind: StreamKind, id: string, version: number, r: Random): Payload {
  switch (kind) {
    case 'Order':
      if (version === 1) {
        const lines = Array.from({ length: r.int(1, 6) }, () => ({
          sku: `SKU-${r.int(10000, 99999)}`, name: r.pick(PRODUCTS), quantity: r.int(1, 5), unitPrice: money(r, 80),
        }));
        return { eventType: 'OrderPlaced', data: {
          orderId: id, customerId: r.hex(24), lines, currency: r.pick(CURRENCIES),
          total: lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0), shippingAddress: address(r), notes: r.next() < 0.2 ? 'Leave at the door' : null,
        } };
      }
      return r.next() < 0.5
        ? { eventType: 'OrderLineAdded', data: { orderId: id, sku: `SKU-${r.int(10000, 99999)}`, name: r.pick(PRODUCTS), quantity: r.int(1, 3), unitPrice: money(r, 80) } }
        : { eventType: 'OrderPaid', data: { orderId: id, paymentId: r.hex(24), amount: money(r, 400), method: r.pick(['card', 'sepa', 'paypal']) } };
    case 'Account':
      if (version === 1) return { eventType: 'AccountOpened', data: { accountId: id, owner: r.hex(24), currency: r.pick(CURRENCIES), overdraftLimit: r.int(0, 2000) } };
      return { eventType: r.next() < 0.6 ? 'AccountCredited' : 'AccountDebited', data: {
        accountId: id, amount: money(r, 500), balance: money(r, 20000), reference: `INV-${r.int(100000, 999999)}`,
        description: r.pick(['Monthly fee', 'Card payment', 'Transfer', 'Refund']), channel: r.pick(['sepa', 'card', 'internal']),
      } };
    case 'Customer':
      if (version === 1) return { eventType: 'CustomerRegistered', data: {
        customerId: id, name: `Customer ${r.hex(6)}`, email: `${r.hex(10)}@example.com`, phone: `+49${r.int(100000000, 999999999)}`,
        address: address(r), marketingConsent: r.next() < 0.4, preferences: { language: r.pick(['en', 'de', 'fr']), newsletter: r.next() < 0.3 },
      } };
      return r.next() < 0.5
        ? { eventType: 'CustomerAddressChanged', data: { customerId: id, address: address(r) } }
        : { eventType: 'CustomerEmailChanged', data: { customerId: id, email: `${r.hex(10)}@example.com`, verified: r.next() < 0.8 } };
    case 'Shipment':
      if (version === 1) return { eventType: 'ShipmentCreated', data: { shipmentId: id, carrier: r.pick(CARRIERS), trackingNumber: r.hex(18), from: address(r), to: address(r), parcels: r.int(1, 4) } };
      return { eventType: 'ShipmentLocationRecorded', data: {
        shipmentId: id, latitude: 35 + r.next() * 25, longitude: -10 + r.next() * 35, speedKmh: r.int(0, 110), hub: r.next() < 0.3 ? r.pick(CITIES) : null,
      } };
  }
}

export function metadata(r: Random): Record<string, unknown> {
  return { userId: r.hex(32), tenantId: `tenant-${r.int(1, 40)}`, source: r.pick(['web', 'mobile', 'batch', 'partner-api']), traceId: r.hex(32) };
}
