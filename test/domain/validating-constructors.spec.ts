/**
 * Event classes (and value classes nested in events and snapshots) whose
 * constructors check their arguments: they are written by calling the
 * constructor, and read back without calling it, everywhere events are read.
 */
import { expect } from 'chai';
import { Exclude, Type } from 'class-transformer';
import {
  Aggregate,
  AggregateRoot,
  Apply,
  DomainEvent,
  EventSerializer,
  EventStore,
  ExpectedVersion,
  Handles,
  Projection,
  ProjectionContext,
} from '../../src';
import { caughtUp } from '../projections/helpers';
import { connectStore, disposeStore } from '../support/stores';

/** A value class that refuses to be built without a valid quantity (so, with no arguments). */
class Quantity {
  static built = 0;

  constructor(readonly value: number) {
    if (!(typeof value === 'number' && value > 0)) throw new RangeError(`qty must be positive, got ${value}`);
    Quantity.built++;
  }

  plus(other: Quantity): Quantity {
    return new Quantity(this.value + other.value);
  }
}

/** Without class-transformer decorators: rebuilt by the library's direct path. */
@DomainEvent('SpecStrictCartOpened')
class CartOpened {
  constructor(readonly cartId: string) {
    if (typeof cartId !== 'string' || cartId.length === 0) throw new TypeError(`cartId must be a non-empty string, got ${cartId}`);
  }
}

/** With nested classes and a date: rebuilt by class-transformer. */
@DomainEvent('SpecStrictItemAdded')
class ItemAdded {
  @Type(() => Quantity) readonly qty: Quantity;
  @Type(() => Date) readonly at: Date;
  /** An initialiser: it runs when the event is raised, not when it is read back. */
  readonly source: string = 'raised';

  constructor(readonly sku: string, qty: Quantity, at: Date) {
    if (typeof sku !== 'string' || sku.length === 0) throw new TypeError(`sku must be a non-empty string, got ${sku}`);
    if (!(qty instanceof Quantity)) throw new TypeError(`qty must be a Quantity, got ${qty}`);
    this.qty = qty;
    this.at = at;
  }
}

@Aggregate('SpecStrictCart', { snapshotEvery: 3 })
class Cart extends AggregateRoot {
  opened = false;
  @Type(() => Quantity) total = new Quantity(1);
  @Type(() => ItemAdded) last?: ItemAdded;
  /** Events applied to this instance: after a load from a snapshot, only those replayed on top of it. */
  @Exclude() applied = 0;

  open(id: string): void {
    this.raise(new CartOpened(id));
  }

  add(sku: string, qty: number): void {
    this.raise(new ItemAdded(sku, new Quantity(qty), new Date(Date.UTC(2026, 0, qty))));
  }

  @Apply(CartOpened) onOpened(): void {
    this.opened = true;
    this.applied++;
  }

  @Apply(ItemAdded) onAdded(e: ItemAdded): void {
    this.total = this.total.plus(e.qty);
    this.last = e;
    this.applied++;
  }
}

/** What the projection's handlers received. */
const received: object[] = [];

@Projection('spec-strict-carts')
class StrictCarts {
  @Handles(CartOpened) opened(e: CartOpened, _ctx: ProjectionContext): void {
    received.push(e);
  }

  @Handles(ItemAdded) added(e: ItemAdded): void {
    received.push(e);
  }
}

describe('events with validating constructors', () => {
  let store: EventStore;
  const serializer = new EventSerializer();

  before(async () => {
    store = await connectStore('strict');
  });
  after(() => disposeStore(store));

  it('are refused at construction with bad input, as their authors want', () => {
    expect(() => new Quantity(0)).to.throw(RangeError, 'qty must be positive, got 0');
    expect(() => new (CartOpened as new () => CartOpened)()).to.throw(TypeError, 'got undefined');
  });

  it('are read back after appendToStream, with nested classes and dates, no constructor called', async () => {
    const written = [new CartOpened('c-1'), new ItemAdded('sku-1', new Quantity(2), new Date('2026-11-29T10:11:12.345Z'))];
    await store.appendToStream('strict-1', ExpectedVersion.NoStream, serializer.serializeAll(written));
    const builtBefore = Quantity.built;

    const [opened, added] = (await store.readStreamForward('strict-1')).map((r) => serializer.deserialize(r)) as [CartOpened, ItemAdded];

    expect(Quantity.built, 'no Quantity constructed by the read').to.equal(builtBefore);
    expect(opened).to.be.instanceOf(CartOpened).and.to.include({ cartId: 'c-1' });
    expect(added).to.be.instanceOf(ItemAdded).and.to.include({ sku: 'sku-1', source: 'raised' });
    expect(added.qty).to.be.instanceOf(Quantity);
    expect(added.qty.plus(new Quantity(1)).value).to.equal(3);
    expect(added.at).to.be.instanceOf(Date);
    expect(added.at.toISOString()).to.equal('2026-11-29T10:11:12.345Z');
  });

  it('do not get their field initialisers on rebuild: a field the data lacks is absent', async () => {
    await store.appendToStream('strict-2', ExpectedVersion.NoStream, [
      { eventType: 'SpecStrictItemAdded', data: { sku: 'sku-2', qty: { value: 1 }, at: '2026-01-01T00:00:00.000Z' } },
    ]);

    const [event] = (await store.readStreamForward('strict-2')).map((r) => serializer.deserialize(r)) as [ItemAdded];

    expect(event).to.be.instanceOf(ItemAdded);
    expect(event.source).to.equal(undefined);
    expect(Object.hasOwn(event, 'source')).to.equal(false);
  });

  it('load aggregates from their events and from their snapshots', async () => {
    const carts = store.aggregateRepository(Cart);
    const cart = carts.create('c-2');
    cart.open('c-2');
    cart.add('a', 2);
    await carts.save(cart);

    const fromEvents = await carts.load('c-2');
    expect(fromEvents.version).to.equal(2);
    expect(fromEvents.total.value).to.equal(3);
    expect(fromEvents.last).to.be.instanceOf(ItemAdded);

    fromEvents.add('b', 4);
    fromEvents.add('c', 1);
    await carts.save(fromEvents);
    const snapshot = await store.readSnapshot('SpecStrictCart-c-2');
    expect(snapshot.sourceVersion).to.equal(4);

    const fromSnapshot = await carts.load('c-2');

    expect(fromSnapshot.applied, 'nothing replayed: the state came from the snapshot').to.equal(0);
    expect(fromSnapshot.version).to.equal(4);
    expect(fromSnapshot.opened).to.equal(true);
    expect(fromSnapshot.total).to.be.instanceOf(Quantity);
    expect(fromSnapshot.total.value).to.equal(8);
    expect(fromSnapshot.last).to.be.instanceOf(ItemAdded).and.to.include({ sku: 'c' });
    expect(fromSnapshot.last!.qty).to.be.instanceOf(Quantity);
    expect(fromSnapshot.last!.at).to.be.instanceOf(Date);
    fromSnapshot.add('d', 1);
    await carts.save(fromSnapshot);
    expect((await carts.load('c-2')).total.value).to.equal(9);
  });

  it('reach projection handlers as instances of their classes', async () => {
    received.length = 0;
    const runner = store.projections([StrictCarts]);
    await runner.start();
    try {
      await caughtUp(runner, 'spec-strict-carts');
    } finally {
      await runner.stop();
    }

    const added = received.filter((e): e is ItemAdded => e instanceof ItemAdded);
    expect(received.filter((e) => e instanceof CartOpened)).to.have.length(2);
    expect(added.map((e) => e.sku)).to.deep.equal(['sku-1', 'sku-2', 'a', 'b', 'c', 'd']);
    expect(added.every((e) => e.qty instanceof Quantity && e.at instanceof Date)).to.equal(true);
  });
});
