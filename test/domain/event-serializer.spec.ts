import { expect } from 'chai';
import {
  DomainEvent,
  DuplicateEventTypeError,
  EventClassNotRegisteredError,
  EventDeserializationError,
  EventSerializer,
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  UnknownEventTypeError,
} from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { AccountOpened, LineItem, Money, OrderPlaced, PlainNote } from './fixtures';
import { caughtSync } from './helpers';

/** Registered under a type name unrelated to the class name. */
@DomainEvent('SpecLegacyCustomerCreated')
class CustomerRegistered {
  constructor(readonly name: string) {}
}

class WithRawBigInt {
  constructor(readonly amount: bigint) {}
}
DomainEvent('SpecWithRawBigInt')(WithRawBigInt);

describe('EventSerializer', () => {
  let store: EventStore;
  const serializer = new EventSerializer();
  let n = 0;
  const stream = () => `serializer-${++n}`;

  before(async () => {
    store = await connectStore('serializer');
  });
  after(() => disposeStore(store));

  /** Appends the events and reads them back as stored. */
  async function storeAndRead(...events: object[]) {
    const id = stream();
    await store.appendToStream(id, ExpectedVersion.NoStream, serializer.serializeAll(events));
    return store.readStreamForward(id);
  }

  function order(): OrderPlaced {
    const item = new LineItem();
    item.sku = 'sku-1';
    item.price = Money.of(1999n, 'EUR');
    return new OrderPlaced('o-1', new Date('2026-11-29T10:11:12.345Z'), 2n ** 64n + 7n,
      Money.of(-(2n ** 70n), 'EUR'), [item], ['a', 'b'], [1n, 2n ** 60n]);
  }

  it('round-trips an event through the store as an instance of its class, with nested classes, dates and bigints', async () => {
    const [recorded] = await storeAndRead(order());
    const event = serializer.deserialize(recorded) as OrderPlaced;

    expect(event).to.be.instanceOf(OrderPlaced);
    expect(event.itemCount()).to.equal(1);
    expect(event.placedAt).to.be.instanceOf(Date);
    expect(event.placedAt.toISOString()).to.equal('2026-11-29T10:11:12.345Z');
    expect(event.sequence).to.equal(2n ** 64n + 7n);
    expect(event.checksums).to.deep.equal([1n, 2n ** 60n]);
    expect(event.total).to.be.instanceOf(Money);
    expect(event.total.format()).to.equal(`${-(2n ** 70n)} EUR`);
    expect(event.items[0]).to.be.instanceOf(LineItem);
    expect(event.items[0].price).to.be.instanceOf(Money);
    expect(event.items[0].price.cents).to.equal(1999n);
    expect(event.tags).to.deep.equal(['a', 'b']);
  });

  it('stores plain JSON: bigints as decimal strings, dates as ISO strings, the schema version in the metadata only', async () => {
    const [recorded] = await storeAndRead(order());
    const data = recorded.data as Record<string, any>;
    expect(data.sequence).to.equal((2n ** 64n + 7n).toString());
    expect(data.placedAt).to.equal('2026-11-29T10:11:12.345Z');
    expect(data.items[0].price).to.deep.equal({ cents: '1999', currency: 'EUR' });
    expect(data).not.to.have.property('schemaVersion');
    expect(recorded.metadata).to.deep.equal({ schemaVersion: 1 });
  });

  it('builds events whose constructors take arguments without calling them with arguments', async () => {
    const [recorded] = await storeAndRead(new AccountOpened('ada', 100));
    const event = serializer.deserialize(recorded);
    expect(event).to.be.instanceOf(AccountOpened);
    expect(event).to.deep.include({ owner: 'ada', balance: 100 });
  });

  it('stores the registered type name, not the class name', async () => {
    const [recorded] = await storeAndRead(new CustomerRegistered('grace'));
    expect(recorded.eventType).to.equal('SpecLegacyCustomerCreated');
    expect(serializer.deserialize(recorded)).to.be.instanceOf(CustomerRegistered);
  });

  it('carries metadata, causation and correlation ids, and keeps its own schema version over the caller’s', () => {
    const causationId = '11111111-2222-4333-8444-555555555555';
    const correlationId = '66666666-7777-4888-9999-aaaaaaaaaaaa';
    const data = serializer.serialize(new AccountOpened('ada', 1), { metadata: { user: 'u1', schemaVersion: 99 }, causationId, correlationId });
    expect(data).to.deep.include({ eventType: 'SpecAccountOpened', causationId, correlationId });
    expect(data.metadata).to.deep.equal({ user: 'u1', schemaVersion: 1 });
  });

  describe('an event of a type with no registered class', () => {
    let recorded: Awaited<ReturnType<typeof storeAndRead>>[number];

    before(async () => {
      const id = stream();
      await store.appendToStream(id, 0, [{ eventType: 'SpecNeverRegistered', data: { x: 1 } }]);
      [recorded] = await store.readStreamForward(id);
    });

    it('is an UnknownEventTypeError naming the type and the event', () => {
      const error = caughtSync(() => serializer.deserialize(recorded));
      expect(error).to.be.instanceOf(UnknownEventTypeError);
      expect(error).to.include({ code: 'unknown_event_type', eventType: 'SpecNeverRegistered', eventId: recorded.eventId });
    });

    it('is the recorded event itself in raw mode', () => {
      const raw = new EventSerializer({ unknownEventType: 'raw' });
      expect(raw.deserialize(recorded)).to.equal(recorded);
    });
  });

  it('refuses stored data that is not an object with EventDeserializationError', async () => {
    const id = stream();
    await store.appendToStream(id, 0, [{ eventType: 'SpecAccountOpened', data: [1, 2] }]);
    const [recorded] = await store.readStreamForward(id);
    const error = caughtSync(() => serializer.deserialize(recorded));
    expect(error).to.be.instanceOf(EventDeserializationError);
    expect(error.code).to.equal('event_deserialization_failed');
  });

  describe('bad input', () => {
    it('refuses to serialise an instance of an undecorated class', () => {
      const error = caughtSync(() => serializer.serialize(new PlainNote('x')));
      expect(error).to.be.instanceOf(EventClassNotRegisteredError);
      expect(error).to.include({ code: 'event_class_not_registered', className: 'PlainNote' });
    });

    it('refuses to serialise what is not an object', () => {
      for (const bad of [null, 42, 'event', [new AccountOpened('a', 1)]]) {
        expect(caughtSync(() => serializer.serialize(bad as object))).to.be.instanceOf(InvalidArgumentError);
      }
    });

    it('refuses a bad envelope', () => {
      const event = new AccountOpened('a', 1);
      expect(caughtSync(() => serializer.serialize(event, { metadata: [] as never }))).to.include({ code: 'invalid_argument', argument: 'envelope.metadata' });
      expect(caughtSync(() => serializer.serialize(event, { causationId: 'nope' }))).to.include({ code: 'invalid_argument', argument: 'envelope.causationId' });
    });

    it('refuses an unknown unknownEventType mode', () => {
      expect(caughtSync(() => new EventSerializer({ unknownEventType: 'skip' as never }))).to.include({ argument: 'options.unknownEventType' });
    });

    it('refuses a bigint property without @BigIntField at append, and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const error = await caught(store.appendToStream(stream(), 0, [serializer.serialize(new WithRawBigInt(5n))]));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.message).to.match(/BigInt/);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });
  });

  describe('@DomainEvent', () => {
    it('refuses a second class under a registered type name', () => {
      const error = caughtSync(() => DomainEvent('SpecAccountOpened')(class Impostor {}));
      expect(error).to.be.instanceOf(DuplicateEventTypeError);
      expect(error).to.include({ code: 'duplicate_event_type', eventType: 'SpecAccountOpened' });
    });

    it('refuses a registered class under a second type name', () => {
      expect(caughtSync(() => DomainEvent('SpecAccountOpenedAgain')(AccountOpened))).to.be.instanceOf(DuplicateEventTypeError);
    });

    it('accepts the same class under the same name again', () => {
      DomainEvent('SpecAccountOpened')(AccountOpened);
    });

    it('refuses empty names and bad versions', () => {
      expect(caughtSync(() => DomainEvent(''))).to.include({ code: 'invalid_argument', argument: '@DomainEvent name' });
      expect(caughtSync(() => DomainEvent(7 as never))).to.include({ argument: '@DomainEvent name' });
      for (const version of [0, -1, 1.5, '2']) {
        expect(caughtSync(() => DomainEvent('SpecBadVersion', { version: version as number }))).to.include({ argument: '@DomainEvent version' });
      }
      expect(caughtSync(() => DomainEvent('SpecBadOptions', null as never))).to.include({ argument: '@DomainEvent options' });
    });
  });
});
