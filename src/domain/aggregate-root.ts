/**
 * The base class of event-sourced aggregates. State changes only through
 * events: `raise(event)` applies the event with the aggregate's `@Apply`
 * handler and keeps it as uncommitted until a repository saves it.
 *
 * The bookkeeping (id, version, uncommitted events) lives under a
 * non-enumerable symbol, so that snapshots (class-transformer, which walks
 * the own enumerable fields) hold only the aggregate's own state.
 */
import { assertStorableText, invalidValue } from '../validation';
import { AggregateIdNotSetError, EventClassNotRegisteredError, MissingApplyHandlerError } from './errors';
import { AnyClass, aggregateNameOf, domainRegistry } from './registry';

const STATE = Symbol('aggregateState');

/** @internal The bookkeeping of one aggregate instance, shared with the repository. */
export interface AggregateState {
  id: string | undefined;
  /** Events so far: replayed (or covered by the snapshot) plus uncommitted. */
  version: number;
  /** The `$all` position of the last stored event seen: replayed on load, or appended by the last save. */
  lastPosition: number | null;
  uncommitted: object[];
}

export abstract class AggregateRoot {
  private declare readonly [STATE]: AggregateState;

  /** `id` may be given here for a new aggregate; repositories set it on `load` / `create`. */
  constructor(id?: string) {
    if (id !== undefined) assertAggregateId(id, 'id');
    Object.defineProperty(this, STATE, { value: { id, version: 0, lastPosition: null, uncommitted: [] }, enumerable: false });
  }

  get id(): string {
    const { id } = this[STATE];
    if (id === undefined) throw new AggregateIdNotSetError(aggregateNameOf(this.constructor as AnyClass));
    return id;
  }

  /** The number of events of this aggregate so far, saved or not. */
  get version(): number {
    return this[STATE].version;
  }

  /**
   * The `$all` position of the aggregate's last stored event: that of the last
   * event replayed by `load`, or of the last event appended by `save` /
   * `update` outside a caller's transaction. Null when unknown: a new
   * aggregate, one restored from a snapshot with no event after it, or one
   * saved inside a caller's transaction. Wait for a projection to reach it
   * with `runner.waitFor(name, aggregate.lastPosition)`.
   */
  get lastPosition(): number | null {
    return this[STATE].lastPosition;
  }

  /** Events raised since the aggregate was loaded or last saved. */
  get uncommittedEvents(): readonly object[] {
    return this[STATE].uncommitted;
  }

  /**
   * Applies `event` with its `@Apply` handler and records it as uncommitted.
   * An event class without a handler fails here, before anything changes.
   */
  protected raise(event: object): void {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw invalidValue('event', 'a @DomainEvent instance', event);
    }
    if (!domainRegistry.eventByClass(event.constructor)) throw new EventClassNotRegisteredError(event.constructor?.name ?? 'Object');
    applyEvent(this, event);
    const state = this[STATE];
    state.uncommitted.push(event);
    state.version += 1;
  }
}

/** @internal The aggregate's bookkeeping. */
export function aggregateState(aggregate: AggregateRoot): AggregateState {
  return aggregate[STATE];
}

/** @internal Calls the aggregate's `@Apply` handler for the event's class. */
export function applyEvent(aggregate: AggregateRoot, event: object): void {
  const aggregateClass = aggregate.constructor as AnyClass;
  const method = domainRegistry.applyHandler(aggregateClass, event.constructor);
  if (method === undefined) {
    const eventType = domainRegistry.eventByClass(event.constructor)?.name ?? event.constructor?.name ?? 'Object';
    throw new MissingApplyHandlerError(aggregateNameOf(aggregateClass), eventType);
  }
  (aggregate as unknown as Record<string | symbol, (e: object) => void>)[method](event);
}

export function assertAggregateId(id: unknown, argument: string): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw invalidValue(argument, 'a non-empty string', id);
  assertStorableText(id, argument);
}
