/**
 * The one registry of the domain layer. The decorators (`@DomainEvent`,
 * `@Aggregate`, `@Apply`) and `registerUpcaster` only record facts here;
 * the serializer, aggregates and repositories read them. Registrations are
 * process-wide, like class definitions: they happen when a class is
 * defined, and a name keeps one meaning for the life of the process.
 */
import { InvalidArgumentError } from '../errors';
import { describe, assertStorableText } from '../validation';
import {
  DuplicateAggregateError,
  DuplicateEventTypeError,
  DuplicateUpcasterError,
  EventClassNotRegisteredError,
} from './errors';

// Decorated classes may take constructor arguments: `any` keeps them assignable.
export type EventClass<T extends object = object> = new (...args: any[]) => T;
export type AnyClass = abstract new (...args: any[]) => object;

export interface EventTypeInfo {
  /** The stored `eventType`. */
  readonly name: string;
  /** The schema version new events of this class are written at. */
  readonly version: number;
  readonly eventClass: EventClass;
}

export interface AggregateInfo {
  readonly name: string;
  readonly aggregateClass: AnyClass;
  /** Take a snapshot each time the version crosses a multiple of this; undefined: never. */
  readonly snapshotEvery?: number;
  /** The shape of the snapshot; snapshots of another version are ignored. */
  readonly snapshotVersion: number;
  /** The stream of the aggregate with this id. */
  readonly streamId: (id: string) => string;
}

export interface UpcastContext {
  readonly eventType: string;
  /** The version of the data the upcaster receives; it returns `fromVersion + 1`. */
  readonly fromVersion: number;
  /** The stored metadata (read only). */
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/** Turns stored JSON of one schema version into JSON of the next. */
export type Upcaster = (data: any, context: UpcastContext) => unknown;

type HandlerKey = string | symbol;

export class DomainRegistry {
  private readonly eventsByName = new Map<string, EventTypeInfo>();
  private readonly eventsByClass = new Map<EventClass, EventTypeInfo>();
  private readonly upcasters = new Map<string, Map<number, Upcaster>>();
  private readonly aggregatesByClass = new Map<AnyClass, AggregateInfo>();
  private readonly aggregatesByName = new Map<string, AggregateInfo>();
  /** `@Apply` handlers declared on each class itself: event class -> method. */
  private readonly declaredHandlers = new Map<AnyClass, Map<EventClass, HandlerKey>>();
  /** Declared handlers merged along a class chain, subclass first; derived, built on first use. */
  private readonly handlerCache = new Map<AnyClass, Map<EventClass, HandlerKey>>();

  // ---- events

  registerEvent(eventClass: EventClass, name: string, version: number): void {
    const byName = this.eventsByName.get(name);
    if (byName && byName.eventClass !== eventClass) {
      throw new DuplicateEventTypeError(name, `already registered by class ${byName.eventClass.name}, now by ${eventClass.name}`);
    }
    const byClass = this.eventsByClass.get(eventClass);
    if (byClass && byClass.name !== name) {
      throw new DuplicateEventTypeError(name, `class ${eventClass.name} is already registered as ${JSON.stringify(byClass.name)}`);
    }
    const info: EventTypeInfo = { name, version, eventClass };
    this.eventsByName.set(name, info);
    this.eventsByClass.set(eventClass, info);
  }

  eventByName(name: string): EventTypeInfo | undefined {
    return this.eventsByName.get(name);
  }

  eventByClass(eventClass: unknown): EventTypeInfo | undefined {
    return this.eventsByClass.get(eventClass as EventClass);
  }

  // ---- upcasters

  registerUpcaster(eventType: string, fromVersion: number, upcaster: Upcaster): void {
    let chain = this.upcasters.get(eventType);
    if (!chain) this.upcasters.set(eventType, (chain = new Map()));
    if (chain.has(fromVersion)) throw new DuplicateUpcasterError(eventType, fromVersion);
    chain.set(fromVersion, upcaster);
  }

  upcaster(eventType: string, fromVersion: number): Upcaster | undefined {
    return this.upcasters.get(eventType)?.get(fromVersion);
  }

  // ---- aggregates

  registerAggregate(info: AggregateInfo): void {
    const byName = this.aggregatesByName.get(info.name);
    if (byName && byName.aggregateClass !== info.aggregateClass) {
      throw new DuplicateAggregateError(info.name, `already registered by class ${byName.aggregateClass.name}, now by ${info.aggregateClass.name}`);
    }
    const byClass = this.aggregatesByClass.get(info.aggregateClass);
    if (byClass && byClass.name !== info.name) {
      throw new DuplicateAggregateError(info.name, `class ${info.aggregateClass.name} is already registered as ${JSON.stringify(byClass.name)}`);
    }
    // Every @Apply must name a registered event class; said now rather than at the first raise.
    for (const eventClass of this.handlersOf(info.aggregateClass).keys()) {
      if (!this.eventsByClass.has(eventClass)) throw new EventClassNotRegisteredError(eventClass.name);
    }
    this.aggregatesByClass.set(info.aggregateClass, info);
    this.aggregatesByName.set(info.name, info);
  }

  aggregateByClass(aggregateClass: unknown): AggregateInfo | undefined {
    return this.aggregatesByClass.get(aggregateClass as AnyClass);
  }

  // ---- @Apply handlers

  registerApplyHandler(aggregateClass: AnyClass, eventClass: EventClass, method: HandlerKey): void {
    let handlers = this.declaredHandlers.get(aggregateClass);
    if (!handlers) this.declaredHandlers.set(aggregateClass, (handlers = new Map()));
    const existing = handlers.get(eventClass);
    if (existing !== undefined && existing !== method) {
      throw new InvalidArgumentError('@Apply', `${aggregateClass.name} already applies ${eventClass.name} in ${String(existing)}; ` +
        `${String(method)} would be a second handler`);
    }
    handlers.set(eventClass, method);
    this.handlerCache.clear();
  }

  /** The method of `aggregateClass` (or of a base class) that applies events of `eventClass`. */
  applyHandler(aggregateClass: AnyClass, eventClass: unknown): HandlerKey | undefined {
    return this.handlersOf(aggregateClass).get(eventClass as EventClass);
  }

  private handlersOf(aggregateClass: AnyClass): Map<EventClass, HandlerKey> {
    let merged = this.handlerCache.get(aggregateClass);
    if (merged) return merged;
    merged = new Map();
    for (let cls: unknown = aggregateClass; typeof cls === 'function' && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
      for (const [eventClass, method] of this.declaredHandlers.get(cls as AnyClass) ?? []) {
        if (!merged.has(eventClass)) merged.set(eventClass, method);
      }
    }
    this.handlerCache.set(aggregateClass, merged);
    return merged;
  }
}

/** The process-wide registry the decorators write to. */
export const domainRegistry = new DomainRegistry();

/** The registered name of an aggregate class, or its class name. */
export function aggregateNameOf(aggregateClass: AnyClass, registry: DomainRegistry = domainRegistry): string {
  return registry.aggregateByClass(aggregateClass)?.name ?? aggregateClass.name;
}

export function assertTypeName(name: unknown, argument: string): asserts name is string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new InvalidArgumentError(argument, `expected a non-empty name, got ${describe(name)}`);
  }
  assertStorableText(name, argument);
}

export function assertSchemaVersion(version: unknown, argument: string): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 1_000_000) {
    throw new InvalidArgumentError(argument, `expected an integer >= 1, got ${describe(version)}`);
  }
}
