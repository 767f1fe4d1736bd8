/**
 * The one registry of the domain layer. The decorators (`@DomainEvent`,
 * `@Aggregate`, `@Apply`) and `registerUpcaster` only record facts here;
 * the serializer, aggregates and repositories read them. Registrations are
 * process-wide, like class definitions: they happen when a class is
 * defined, and a name keeps one meaning for the life of the process.
 */
import { assertStorableText, invalidValue } from '../validation';
import {
  DuplicateAggregateError,
  DuplicateEventTypeError,
  DuplicateUpcasterError,
  EventClassNotRegisteredError,
} from './errors';
import { DeclaredHandlers, HandlerKey, NamedClasses } from './class-registry';

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

export class DomainRegistry {
  private readonly events = new NamedClasses<EventClass, EventTypeInfo>((name, reason) => new DuplicateEventTypeError(name, reason));
  private readonly upcasters = new Map<string, Map<number, Upcaster>>();
  private readonly aggregates = new NamedClasses<AnyClass, AggregateInfo>((name, reason) => new DuplicateAggregateError(name, reason));
  private readonly applyHandlers = new DeclaredHandlers<AnyClass, EventClass>('@Apply', 'applies');

  // ---- events

  registerEvent(eventClass: EventClass, name: string, version: number): void {
    this.events.register(eventClass, { name, version, eventClass });
  }

  eventByName(name: string): EventTypeInfo | undefined {
    return this.events.byNameOf(name);
  }

  eventByClass(eventClass: unknown): EventTypeInfo | undefined {
    return this.events.byClassOf(eventClass);
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
    this.aggregates.register(info.aggregateClass, info, () => {
      // Every @Apply must name a registered event class; said now rather than at the first raise.
      for (const eventClass of this.applyHandlers.of(info.aggregateClass).keys()) {
        if (!this.events.byClassOf(eventClass)) throw new EventClassNotRegisteredError(eventClass.name);
      }
    });
  }

  aggregateByClass(aggregateClass: unknown): AggregateInfo | undefined {
    return this.aggregates.byClassOf(aggregateClass);
  }

  // ---- @Apply handlers

  registerApplyHandler(aggregateClass: AnyClass, eventClass: EventClass, method: HandlerKey): void {
    this.applyHandlers.declare(aggregateClass, eventClass, method);
  }

  /** The method of `aggregateClass` (or of a base class) that applies events of `eventClass`. */
  applyHandler(aggregateClass: AnyClass, eventClass: unknown): HandlerKey | undefined {
    return this.applyHandlers.of(aggregateClass).get(eventClass as EventClass);
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
    throw invalidValue(argument, 'a non-empty name', name);
  }
  assertStorableText(name, argument);
}

export function assertSchemaVersion(version: unknown, argument: string): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 1_000_000) {
    throw invalidValue(argument, 'an integer >= 1', version);
  }
}
