import { expect } from 'chai';
import { Expose, instanceToPlain, plainToInstance, Type } from 'class-transformer';
import {
  Aggregate,
  AggregateRoot,
  Apply,
  DomainEvent,
  EventDeserializationError,
  EventSerializer,
  EventStore,
  ExpectedVersion,
} from '../../src';
import { restoreSnapshot, takeSnapshot } from '../../src/domain/aggregate-snapshot';
import { InstanceBuilder } from '../../src/domain/instance-builder';
import { domainRegistry } from '../../src/domain/registry';
import { connectStore, disposeStore } from '../support/stores';
import { Account, AccountOpened, LineItem, Money, OrderPlaced } from './fixtures';

/** An InstanceBuilder that counts which path built each instance. */
class CountingBuilder extends InstanceBuilder {
  directBuilds = 0;
  classTransformerBuilds = 0;

  protected override buildDirectly<T extends object>(cls: new (...args: any[]) => T, data: object, target?: T): T | undefined {
    const instance = super.buildDirectly(cls, data, target);
    if (instance !== undefined) this.directBuilds++;
    return instance;
  }

  protected override buildWithClassTransformer<T extends object>(cls: new (...args: any[]) => T, data: object, target?: T): T {
    this.classTransformerBuilds++;
    return super.buildWithClassTransformer(cls, data, target);
  }
}

/** The reference: an InstanceBuilder that always lets class-transformer fill the instance. */
class ClassTransformerOnly extends InstanceBuilder {
  override buildsDirectly(): boolean {
    return false;
  }
}

// ---- class shapes without class-transformer metadata

class ParameterProperties {
  constructor(readonly id: string, readonly amount: number, readonly note?: string) {}
}

class FieldDefaults {
  status = 'open';
  count = 0;
  tags: string[] = ['new'];
  limits = { daily: 100 };
  optional?: string;
}

class ConstructorWork {
  static built = 0;
  static argumentCounts: number[] = [];
  readonly total: number;

  constructor(readonly a?: number, readonly b?: number) {
    ConstructorWork.built++;
    ConstructorWork.argumentCounts.push(arguments.length);
    this.total = (a ?? 1) + (b ?? 2);
  }
}

class Base {
  kind = 'base';
  shared = 1;

  describe(): string {
    return `${this.kind} ${this.shared}`;
  }

  get label(): string {
    return `#${this.shared}`;
  }
}

class Derived extends Base {
  own = 'derived';

  constructor(readonly x?: number) {
    super();
    this.kind = 'derived';
  }
}

class Members {
  private celsiusValue = 0;
  handler = (): string => 'own arrow function';

  get fahrenheit(): number {
    return this.celsiusValue * 1.8 + 32;
  }

  get celsius(): number {
    return this.celsiusValue;
  }

  set celsius(value: number) {
    this.celsiusValue = value;
  }

  convert(): number {
    return this.fahrenheit;
  }
}

/** Declared as a Date and a bigint, without `@Type` or `@BigIntField`: stays as stored. */
class Undecorated {
  at!: Date;
  amount!: bigint;
}

class Tags extends Array<string> {
  label?: string;
}

class Strict {
  constructor(readonly required: string) {
    if (typeof required !== 'string') throw new TypeError('required must be a string');
  }
}

// ---- events and an aggregate without class-transformer metadata, registered

@DomainEvent('SpecInstancesAdded')
class Added {
  constructor(readonly n: number) {}
}

@Aggregate('SpecTally', { snapshotEvery: 3 })
class Tally extends AggregateRoot {
  total = 0;
  entries: number[] = [];

  add(n: number): void {
    this.raise(new Added(n));
  }

  @Apply(Added) added(e: Added): void {
    this.total += e.n;
    this.entries.push(e.n);
  }
}
DomainEvent('SpecInstancesStrict')(Strict);
DomainEvent('SpecInstancesDerived')(Derived);

// ---- classes with class-transformer metadata

class WithExpose {
  @Expose({ name: 'full_name' }) fullName!: string;
}

class Nested {
  value = 0;
}

class ChildOfDecorated extends WithExpose {
  @Type(() => Nested) nested!: Nested;
}

class GrandchildOfDecorated extends ChildOfDecorated {
  plain = 1;
}

class StrictLine {
  constructor(readonly qty: number) {
    if (!(qty > 0)) throw new RangeError(`qty must be positive, got ${qty}`);
  }

  double(): number {
    return this.qty * 2;
  }
}

class StrictOrder {
  @Type(() => StrictLine) lines: StrictLine[];
  @Type(() => StrictLine) main: StrictLine;
  @Type(() => Date) at: Date;

  constructor(readonly id: string, lines: StrictLine[], at: Date) {
    if (lines.length === 0) throw new RangeError('an order needs lines');
    this.lines = lines;
    this.main = lines[0];
    this.at = at;
  }
}

/**
 * Checks that two objects are alike in every way plainToInstance can make
 * them differ: prototypes, own keys in order (symbols too), property
 * attributes, and values, recursively. Functions compare by their source.
 */
function expectSame(actual: unknown, expected: unknown, path = 'instance'): void {
  if (typeof expected === 'function') {
    expect(typeof actual, path).to.equal('function');
    expect(String(actual), path).to.equal(String(expected));
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    expect(Object.is(actual, expected), `${path}: ${String(actual)} is not ${String(expected)}`).to.equal(true);
    return;
  }
  expect(actual !== null && typeof actual === 'object', `${path}: ${String(actual)} is not an object`).to.equal(true);
  const got = actual as object;
  expect(Object.getPrototypeOf(got), `${path}: prototype`).to.equal(Object.getPrototypeOf(expected));
  if (expected instanceof Date) expect((got as Date).getTime(), path).to.equal(expected.getTime());
  expect(Reflect.ownKeys(got), `${path}: own keys`).to.deep.equal(Reflect.ownKeys(expected));
  for (const key of Reflect.ownKeys(expected)) {
    const want = Object.getOwnPropertyDescriptor(expected, key)!;
    const have = Object.getOwnPropertyDescriptor(got, key)!;
    const where = `${path}.${String(key)}`;
    expect({ enumerable: have.enumerable, writable: have.writable, configurable: have.configurable, accessor: 'get' in have }, where)
      .to.deep.equal({ enumerable: want.enumerable, writable: want.writable, configurable: want.configurable, accessor: 'get' in want });
    if ('value' in want) expectSame(have.value, want.value, where);
  }
}

/** The same data twice, so that neither build can see what the other did to its input. */
function twice(data: () => object): [object, object] {
  return [data(), data()];
}

/** Builds with the builder and with class-transformer alone; checks they agree, and which path the builder took. */
function expectBuiltAlike(cls: new (...args: any[]) => object, data: () => object, path: 'direct' | 'class-transformer'): object {
  const builder = new CountingBuilder();
  const [mine, theirs] = twice(data);
  const built = builder.build(cls, mine);
  expectSame(built, new ClassTransformerOnly().build(cls, theirs));
  expect(built).to.be.instanceOf(cls);
  expect({ direct: builder.directBuilds, classTransformer: builder.classTransformerBuilds })
    .to.deep.equal(path === 'direct' ? { direct: 1, classTransformer: 0 } : { direct: 0, classTransformer: 1 });
  return built;
}

describe('InstanceBuilder', () => {
  describe('classes without class-transformer metadata: built directly, as class-transformer fills them', () => {
    it('holds exactly the data: constructor parameter properties the data lacks are absent', () => {
      const full = expectBuiltAlike(ParameterProperties, () => ({ id: 'a-1', amount: 10.5, note: 'first' }), 'direct');
      expect(full).to.include({ id: 'a-1', amount: 10.5, note: 'first' });
      const partial = expectBuiltAlike(ParameterProperties, () => ({ amount: 3 }), 'direct') as ParameterProperties;
      expect(Object.keys(partial)).to.deep.equal(['amount']);
      expect(partial.id).to.equal(undefined);
      expect(Object.getPrototypeOf(partial)).to.equal(ParameterProperties.prototype);
    });

    it('runs no field initialiser: fields the data lacks are absent, those it has are as stored', () => {
      const built = expectBuiltAlike(FieldDefaults, () => ({ count: 2, tags: [], extra: true }), 'direct') as FieldDefaults & { extra: boolean };
      expect(Object.keys(built)).to.deep.equal(['count', 'tags', 'extra']);
      expect(built).to.deep.include({ count: 2, tags: [], extra: true });
      expect(built.status).to.equal(undefined);
      expect(Object.keys(expectBuiltAlike(FieldDefaults, () => ({}), 'direct'))).to.deep.equal([]);
    });

    it('never calls the constructor, whatever the data', () => {
      ConstructorWork.built = 0;
      const built = expectBuiltAlike(ConstructorWork, () => ({ a: 5, total: 99 }), 'direct') as ConstructorWork;
      expect(ConstructorWork.built).to.equal(0);
      expect(built.total).to.equal(99);
      expect(built.b).to.equal(undefined);
      expect(built).to.be.instanceOf(ConstructorWork);
    });

    it('keeps inherited methods, and leaves out keys that name methods', () => {
      const built = expectBuiltAlike(Derived, () => ({ x: 1, kind: 'derived', shared: 7, own: 'mine', describe: 'not a method', toString: 'nor this' }), 'direct') as Derived;
      expect(built.describe()).to.equal('derived 7');
      expect(String(built)).to.equal('[object Object]');
      expect(built.label).to.equal('#7');
    });

    it('uses setters, leaves out getters without one and methods', () => {
      const built = expectBuiltAlike(Members, () => ({ celsius: 100, fahrenheit: 0, convert: 1 }), 'direct') as Members;
      expect(built.fahrenheit).to.equal(212);
      expect(built.convert()).to.equal(212);
      // A function-valued field is an initialiser: it does not run either.
      expect(Object.hasOwn(built, 'handler')).to.equal(false);
    });

    it('fails as class-transformer fails on a key that names a getter of a base class', () => {
      // class-transformer only looks for accessors on the class's own prototype: the assignment throws.
      expect(() => plainToInstance(Derived, { label: 'x' })).to.throw(TypeError);
      expect(() => new ClassTransformerOnly().build(Derived, { label: 'x' })).to.throw(TypeError);
      expect(() => new CountingBuilder().build(Derived, { label: 'x' })).to.throw(TypeError);
    });

    it('builds an instance of a class whose constructor refuses to run without arguments', () => {
      expect(() => plainToInstance(Strict, { required: 'x' })).to.throw(TypeError, 'required must be a string');
      const built = expectBuiltAlike(Strict, () => ({ required: 'x' }), 'direct');
      expect(built).to.be.instanceOf(Strict).and.to.include({ required: 'x' });
    });

    it('calls the constructor of a class that extends a built-in type (it needs it)', () => {
      const built = new CountingBuilder().build(Tags, { label: 'colours' });
      expect(built).to.be.instanceOf(Tags).and.to.be.instanceOf(Array);
      built.push('red');
      expect(built.length).to.equal(1);
      expect(built.label).to.equal('colours');
    });

    it('copies nested arrays and objects deeply, as class-transformer copies them', () => {
      const json = '{"2":"two","1":"one","__proto__":{"polluted":true},"constructor":"c","nested":{"a":1,"toString":"x",' +
        '"valueOf":2,"hasOwnProperty":3,"__proto__":{"p":1},"list":[1,[2,3],{"b":null}],"empty":{}},"nothing":null}';
      const built = expectBuiltAlike(FieldDefaults, () => JSON.parse(json), 'direct') as any;
      expect(built.nested).to.deep.equal({ a: 1, list: [1, [2, 3], { b: null }], empty: {} });
      expect(Object.getPrototypeOf(built)).to.equal(FieldDefaults.prototype);
      expect(built.polluted).to.equal(undefined);
      expect(built.constructor).to.equal(FieldDefaults);
    });

    it('shares no object with the data', () => {
      const data = { tags: ['a'], limits: { daily: 5, caps: [1] } };
      const built = new InstanceBuilder().build(FieldDefaults, data);
      built.tags.push('b');
      (built.limits as any).caps.push(2);
      expect(data).to.deep.equal({ tags: ['a'], limits: { daily: 5, caps: [1] } });
    });

    it('leaves dates and bigints as stored when the class does not declare them with decorators', () => {
      const built = expectBuiltAlike(Undecorated, () => ({ at: '2026-11-29T10:11:12.345Z', amount: '123456789012345678901' }), 'direct') as any;
      expect(built.at).to.equal('2026-11-29T10:11:12.345Z');
      expect(built.amount).to.equal('123456789012345678901');
    });

    it('assigns undefined values and passes bigints and symbols through, as plainToInstance does', () => {
      const symbol = Symbol('s');
      const built = expectBuiltAlike(FieldDefaults, () => ({ status: undefined, big: 12n, nested: { s: symbol, u: undefined } }), 'direct') as any;
      expect(Object.hasOwn(built, 'status')).to.equal(true);
      expect(built.status).to.equal(undefined);
      expect(built.big).to.equal(12n);
    });

    it('builds aggregates without class-transformer metadata from their snapshots, after their no-argument constructor', () => {
      const tally = new Tally();
      tally.add(2);
      tally.add(3);
      const snapshot = takeSnapshot(tally, domainRegistry.aggregateByClass(Tally)!, 'SpecTally-1');
      const builder = new CountingBuilder();
      const restored = restoreSnapshot(Tally, JSON.parse(JSON.stringify(snapshot)), builder);
      expectSame(restored, plainToInstance(Tally, JSON.parse(JSON.stringify(snapshot.data))));
      expect(restored).to.deep.include({ total: 5, entries: [2, 3] });
      expect(builder.directBuilds).to.equal(1);
    });
  });

  describe('data that is not plain JSON (an upcaster can return anything): built by class-transformer', () => {
    const cases: Array<[string, () => object]> = [
      ['a Date', () => ({ at: new Date('2026-01-02T03:04:05Z') })],
      ['a nested Date', () => ({ limits: { since: new Date(0) } })],
      ['a class instance', () => ({ limits: new Nested() })],
      ['a Map', () => ({ limits: new Map([['a', 1]]) })],
      ['a Set', () => ({ tags: new Set(['a']) })],
      ['a function', () => ({ status: () => 'open' })],
      ['a sparse array', () => ({ tags: ['a', , 'c'] })],
      ['an object with a constructor of its own', () => ({ limits: { constructor: null } })],
      ['data without a prototype', () => Object.assign(Object.create(null), { count: 1 })],
    ];
    for (const [what, data] of cases) {
      it(`falls back on ${what}, with the same result and no constructor called`, () => {
        ConstructorWork.built = 0;
        expectBuiltAlike(FieldDefaults, data, 'class-transformer');
        new CountingBuilder().build(ConstructorWork, data());
        expect(ConstructorWork.built).to.equal(0);
      });
    }
  });

  describe('classes with class-transformer metadata: built by class-transformer', () => {
    it('keeps class-transformer for @Type, dates, bigints and nested classes, as plainToInstance builds them', () => {
      const item = new LineItem();
      item.sku = 'sku-1';
      item.price = Money.of(1999n, 'EUR');
      const order = new OrderPlaced('o-1', new Date('2026-11-29T10:11:12.345Z'), 7n, Money.of(5n, 'EUR'), [item], ['a'], [1n]);
      const json = () => JSON.parse(JSON.stringify(instanceToPlain(order)));
      const built = expectBuiltAlike(OrderPlaced, json, 'class-transformer') as OrderPlaced;
      // The constructor only assigns its arguments: plainToInstance gets the same instance by calling it.
      expectSame(built, plainToInstance(OrderPlaced, json()));
      expect(built.placedAt).to.be.instanceOf(Date);
      expect(built.items[0].price.cents).to.equal(1999n);
    });

    it('keeps class-transformer for @Expose, and for classes that inherit decorators', () => {
      const exposed = expectBuiltAlike(WithExpose, () => ({ full_name: 'Ada' }), 'class-transformer');
      expectSame(exposed, plainToInstance(WithExpose, { full_name: 'Ada' }));
      expect(exposed).to.include({ fullName: 'Ada' });
      expectBuiltAlike(ChildOfDecorated, () => ({ full_name: 'Ada', nested: { value: 2 } }), 'class-transformer');
      const built = expectBuiltAlike(GrandchildOfDecorated, () => ({ full_name: 'Ada', nested: { value: 2 } }), 'class-transformer') as GrandchildOfDecorated;
      expect(built.nested).to.be.instanceOf(Nested);
      expect(Object.keys(built), 'no field initialiser ran').to.deep.equal(['fullName', 'nested']);
    });

    it('calls no constructor of the class or of nested @Type classes, in arrays too', () => {
      const built = new CountingBuilder().build(StrictOrder, { id: 'o-1', lines: [{ qty: 2 }, { qty: 3 }], main: { qty: 1 }, at: '2026-11-29T10:11:12.345Z' });
      expect(built).to.be.instanceOf(StrictOrder);
      expect(built.lines.map((l) => l.qty)).to.deep.equal([2, 3]);
      expect(built.lines[0]).to.be.instanceOf(StrictLine);
      expect(built.main.double()).to.equal(2);
      expect(built.at).to.be.instanceOf(Date);
    });

    it('keeps class-transformer for aggregates with decorated fields', () => {
      const builder = new CountingBuilder();
      const account = new Account();
      account.owner = 'ada';
      builder.build(Account, instanceToPlain(account));
      expect(builder.classTransformerBuilds).to.equal(1);
    });
  });

  describe('in the EventSerializer', () => {
    let store: EventStore;

    before(async () => {
      store = await connectStore('instances');
    });
    after(() => disposeStore(store));

    it('reads undecorated events directly and decorated ones with class-transformer, alike', async () => {
      const builder = new CountingBuilder();
      const serializer = new EventSerializer({}, domainRegistry, builder);
      const item = new LineItem();
      item.sku = 'sku-1';
      item.price = Money.of(1n, 'EUR');
      const events = [
        new AccountOpened('ada', 10),
        new Added(4),
        new OrderPlaced('o-1', new Date('2026-11-29T10:11:12.345Z'), 7n, Money.of(5n, 'EUR'), [item], [], []),
      ];
      await store.appendToStream('instances-1', ExpectedVersion.NoStream, serializer.serializeAll(events));
      const recorded = await store.readStreamForward('instances-1');

      const read = recorded.map((r) => serializer.deserialize(r));

      for (const [i, event] of read.entries()) {
        expectSame(event, new ClassTransformerOnly().build(event.constructor as new () => object, structuredClone(recorded[i].data as object)), `event ${i}`);
      }
      expect(read[0]).to.be.instanceOf(AccountOpened).and.to.include({ owner: 'ada', balance: 10 });
      expect({ direct: builder.directBuilds, classTransformer: builder.classTransformerBuilds }).to.deep.equal({ direct: 2, classTransformer: 1 });
    });

    it('reads an event whose constructor refuses to run without arguments', async () => {
      const serializer = new EventSerializer({}, domainRegistry, new CountingBuilder());
      await store.appendToStream('instances-2', ExpectedVersion.NoStream, [{ eventType: 'SpecInstancesStrict', data: { required: 'x' } }]);
      const [recorded] = await store.readStreamForward('instances-2');

      expect(serializer.deserialize(recorded)).to.be.instanceOf(Strict).and.to.include({ required: 'x' });
    });

    it('still turns a failure to build the instance into EventDeserializationError', async () => {
      const serializer = new EventSerializer({}, domainRegistry, new CountingBuilder());
      await store.appendToStream('instances-3', ExpectedVersion.NoStream, [{ eventType: 'SpecInstancesDerived', data: { label: 'x' } }]);
      const [recorded] = await store.readStreamForward('instances-3');

      expect(() => serializer.deserialize(recorded)).to.throw(EventDeserializationError, 'label');
    });

    it('loads aggregates of undecorated classes from their snapshots as from their events', async () => {
      const tallies = store.aggregateRepository(Tally);
      const tally = tallies.create('t-1');
      for (const n of [1, 2, 3, 4, 5]) tally.add(n);
      await tallies.save(tally);
      tally.add(6);
      await tallies.save(tally);
      const snapshot = await store.readSnapshot('SpecTally-t-1');
      expect(snapshot.sourceVersion).to.equal(6);

      const loaded = await tallies.load('t-1');

      expect(loaded.version).to.equal(6);
      expect(loaded).to.deep.include({ total: 21, entries: [1, 2, 3, 4, 5, 6] });
      expect(Object.keys(loaded)).to.deep.equal(['total', 'entries']);
    });
  });
});
