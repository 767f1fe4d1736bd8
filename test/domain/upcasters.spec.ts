import { expect } from 'chai';
import { Type } from 'class-transformer';
import {
  Aggregate,
  AggregateRoot,
  Apply,
  DomainEvent,
  DuplicateUpcasterError,
  EventSerializer,
  EventStore,
  InvalidArgumentError,
  MissingUpcasterError,
  RecordedEvent,
  UnsupportedEventVersionError,
  registerUpcaster,
} from '../../src';
import type { UpcastContext } from '../../src';
import { connectStore, disposeStore } from '../support/stores';
import { caughtSync } from './helpers';

/**
 * Version 1 stored `{ product }`; version 2 renamed it `sku` and added
 * `qty`; version 3 (the class) renamed `qty` to `quantity` and added `addedAt`.
 */
@DomainEvent('SpecItemAdded', { version: 3 })
class ItemAdded {
  sku!: string;
  quantity!: number;
  @Type(() => Date) addedAt!: Date;
}

const upcasterCalls: Array<{ fromVersion: number; metadata: unknown }> = [];

registerUpcaster('SpecItemAdded', 1, (data: { product: string }, context: UpcastContext) => {
  upcasterCalls.push({ fromVersion: context.fromVersion, metadata: context.metadata });
  return { sku: data.product, qty: 1 };
});
registerUpcaster('SpecItemAdded', 2, (data: { sku: string; qty: number }, context: UpcastContext) => {
  upcasterCalls.push({ fromVersion: context.fromVersion, metadata: context.metadata });
  // Edits in place: the caller's RecordedEvent must not see it.
  const upgraded = data as unknown as Record<string, unknown>;
  upgraded.quantity = data.qty;
  delete upgraded.qty;
  upgraded.addedAt = '2020-01-01T00:00:00.000Z';
  return upgraded;
});

/** Version 3 with a hole in its chain: no upcaster from version 1. */
@DomainEvent('SpecGappy', { version: 3 })
class Gappy {
  value!: string;
}
registerUpcaster('SpecGappy', 2, (data) => data);

@Aggregate('SpecCart')
class Cart extends AggregateRoot {
  lines: Array<{ sku: string; quantity: number; addedAt: Date }> = [];

  @Apply(ItemAdded) added(e: ItemAdded): void {
    this.lines.push({ sku: e.sku, quantity: e.quantity, addedAt: e.addedAt });
  }
}

describe('upcasters', () => {
  let store: EventStore;
  const serializer = new EventSerializer();
  let n = 0;

  before(async () => {
    store = await connectStore('upcasters');
  });
  after(() => disposeStore(store));
  beforeEach(() => {
    upcasterCalls.length = 0;
  });

  /** Writes events as older code stored them: raw EventData, through the store's API. */
  async function storedInOldShapes(streamId: string): Promise<RecordedEvent[]> {
    await store.appendToStream(streamId, 0, [
      { eventType: 'SpecItemAdded', data: { product: 'apple' } },
      { eventType: 'SpecItemAdded', data: { sku: 'pear', qty: 4 }, metadata: { schemaVersion: 2, origin: 'v2' } },
      { eventType: 'SpecItemAdded', data: { sku: 'fig', quantity: 9, addedAt: '2025-05-05T05:05:05.000Z' }, metadata: { schemaVersion: 3 } },
    ]);
    return store.readStreamForward(streamId);
  }

  it('brings events stored in every old shape to the current class, running the chain in order', async () => {
    const recorded = await storedInOldShapes(`items-${++n}`);
    const events = recorded.map((r) => serializer.deserialize(r) as ItemAdded);

    expect(events.every((e) => e instanceof ItemAdded)).to.equal(true);
    expect(events.map((e) => [e.sku, e.quantity])).to.deep.equal([['apple', 1], ['pear', 4], ['fig', 9]]);
    expect(events.map((e) => e.addedAt.toISOString())).to.deep.equal(['2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z', '2025-05-05T05:05:05.000Z']);
    // v1: 1 -> 2 -> 3; v2: 2 -> 3; v3: none.
    expect(upcasterCalls.map((c) => c.fromVersion)).to.deep.equal([1, 2, 2]);
    expect(upcasterCalls[2].metadata).to.deep.equal({ schemaVersion: 2, origin: 'v2' });
  });

  it('leaves the recorded event untouched, even when an upcaster edits its input', async () => {
    const recorded = await storedInOldShapes(`items-${++n}`);
    serializer.deserialize(recorded[1]);
    expect(recorded[1].data).to.deep.equal({ sku: 'pear', qty: 4 });
  });

  it('rebuilds an aggregate from events stored in old shapes', async () => {
    const carts = store.aggregateRepository(Cart);
    const id = `cart-${++n}`;
    await storedInOldShapes(carts.streamId(id));
    const cart = await carts.load(id);
    expect(cart.version).to.equal(3);
    expect(cart.lines.map((l) => [l.sku, l.quantity])).to.deep.equal([['apple', 1], ['pear', 4], ['fig', 9]]);
    expect(cart.lines[0].addedAt).to.be.instanceOf(Date);
  });

  it('writes new events at the class version, in the metadata', async () => {
    const event = Object.assign(new ItemAdded(), { sku: 'kiwi', quantity: 2, addedAt: new Date(0) });
    const data = serializer.serialize(event);
    expect(data.metadata).to.deep.equal({ schemaVersion: 3 });
    expect(data.data).to.deep.equal({ sku: 'kiwi', quantity: 2, addedAt: new Date(0) });
  });

  describe('refusals on read', () => {
    async function recordedOf(eventType: string, data: unknown, metadata?: Record<string, unknown>): Promise<RecordedEvent> {
      const id = `refusal-${++n}`;
      await store.appendToStream(id, 0, [{ eventType, data, metadata }]);
      return (await store.readStreamForward(id))[0];
    }

    it('names the missing link of a chain with MissingUpcasterError', async () => {
      const recorded = await recordedOf('SpecGappy', { value: 'x' });
      const error = caughtSync(() => serializer.deserialize(recorded));
      expect(error).to.be.instanceOf(MissingUpcasterError);
      expect(error).to.include({ code: 'missing_upcaster', eventType: 'SpecGappy', fromVersion: 1, targetVersion: 3 });
      // From version 2 the chain is complete.
      expect(serializer.deserialize(await recordedOf('SpecGappy', { value: 'y' }, { schemaVersion: 2 }))).to.be.instanceOf(Gappy);
    });

    it('refuses an event stored by newer code, or with a malformed schema version', async () => {
      for (const schemaVersion of [4, 0, 'two', 2.5]) {
        const recorded = await recordedOf('SpecItemAdded', { sku: 'x' }, { schemaVersion });
        const error = caughtSync(() => serializer.deserialize(recorded));
        expect(error, String(schemaVersion)).to.be.instanceOf(UnsupportedEventVersionError);
        expect(error).to.include({ code: 'unsupported_event_version', storedVersion: schemaVersion, supportedVersion: 3 });
      }
    });
  });

  describe('registerUpcaster', () => {
    it('refuses a second upcaster for the same type and version', () => {
      const error = caughtSync(() => registerUpcaster('SpecItemAdded', 1, (d) => d));
      expect(error).to.be.instanceOf(DuplicateUpcasterError);
      expect(error).to.include({ code: 'duplicate_upcaster', eventType: 'SpecItemAdded', fromVersion: 1 });
    });

    it('refuses bad arguments', () => {
      const cases: Array<[unknown, unknown, unknown, string]> = [
        ['', 1, (d: unknown) => d, 'eventType'],
        [42, 1, (d: unknown) => d, 'eventType'],
        ['SpecAny', 0, (d: unknown) => d, 'fromVersion'],
        ['SpecAny', 1.5, (d: unknown) => d, 'fromVersion'],
        ['SpecAny', '1', (d: unknown) => d, 'fromVersion'],
        ['SpecAny', 1, 'not a function', 'upcaster'],
        ['SpecAny', 1, undefined, 'upcaster'],
      ];
      for (const [type, version, fn, argument] of cases) {
        const error = caughtSync(() => registerUpcaster(type as string, version as number, fn as never));
        expect(error, argument).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument).to.equal(argument);
      }
    });
  });
});
