/**
 * `@DomainEvent`, `@Aggregate` and `@Apply`: they check their arguments and
 * record them in the domain registry, nothing more.
 */
import { InvalidArgumentError } from '../errors';
import { assertFunction, assertInstanceMethod, assertObject, describe, invalidValue } from '../validation';
import { AggregateRoot } from './aggregate-root';
import { AnyClass, EventClass, assertSchemaVersion, assertTypeName, domainRegistry } from './registry';

export interface DomainEventOptions {
  /** The schema version new events are written at (stored in `metadata.schemaVersion`); default 1. */
  version?: number | undefined;
}

/** Registers an event class under the stored type name `name` (independent of the class name). */
export function DomainEvent(name: string, options: DomainEventOptions = {}): ClassDecorator {
  assertTypeName(name, '@DomainEvent name');
  assertObject(options, '@DomainEvent options');
  const version = options.version ?? 1;
  assertSchemaVersion(version, '@DomainEvent version');
  return (target) => {
    domainRegistry.registerEvent(target as unknown as EventClass, name, version);
  };
}

export interface AggregateOptions {
  /** Take a snapshot when a save brings the version to (or past) a multiple of N; default: no snapshots. */
  snapshotEvery?: number | undefined;
  /** The shape of the snapshot: bump it when the aggregate's fields change, and older snapshots are ignored; default 1. */
  snapshotVersion?: number | undefined;
  /** The stream of the aggregate with this id; default `<name>-<id>`. */
  streamId?: ((id: string) => string) | undefined;
}

/** Registers an aggregate class (a subclass of AggregateRoot) under `name`. */
export function Aggregate(name: string, options: AggregateOptions = {}): ClassDecorator {
  assertTypeName(name, '@Aggregate name');
  if (name.startsWith('$')) throw new InvalidArgumentError('@Aggregate name', `${JSON.stringify(name)}: names starting with "$" are reserved`);
  assertObject(options, '@Aggregate options');
  const { snapshotEvery, snapshotVersion = 1, streamId = (id: string) => `${name}-${id}` } = options;
  if (snapshotEvery !== undefined && (typeof snapshotEvery !== 'number' || !Number.isInteger(snapshotEvery) || snapshotEvery < 1)) {
    throw invalidValue('@Aggregate snapshotEvery', 'an integer >= 1', snapshotEvery);
  }
  assertSchemaVersion(snapshotVersion, '@Aggregate snapshotVersion');
  assertFunction(streamId, '@Aggregate streamId');
  return (target) => {
    if (!(target.prototype instanceof AggregateRoot)) {
      throw new InvalidArgumentError('@Aggregate', `${target.name} must extend AggregateRoot`);
    }
    domainRegistry.registerAggregate({ name, aggregateClass: target as unknown as AnyClass, snapshotEvery, snapshotVersion, streamId });
  };
}

/**
 * A method decorator that accepts only methods whose first parameter takes
 * an instance of `E` (`@Apply(A) handler(e: B)` does not compile unless an A
 * is a B). Types are structural: two event classes with the same fields are
 * interchangeable to the compiler.
 */
export type EventHandlerDecorator<E extends EventClass, Rest extends unknown[] = any[]> =
  <M extends (event: InstanceType<E>, ...rest: Rest) => unknown>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<M>) => void;

/** Marks the method that applies events of `eventClass` to the aggregate's state. */
export function Apply<E extends EventClass>(eventClass: E): EventHandlerDecorator<E> {
  if (typeof eventClass !== 'function') {
    throw new InvalidArgumentError('@Apply', `expected an event class, got ${describe(eventClass)} (is the class defined before the aggregate?)`);
  }
  return (target, method, descriptor) => {
    assertInstanceMethod('@Apply', target, method, descriptor, 'apply handlers');
    domainRegistry.registerApplyHandler(target.constructor as AnyClass, eventClass, method);
  };
}
