/**
 * Stored events turned into instances of their `@DomainEvent` classes, once
 * per event for all the projections that handle it (they share pages, and so
 * the instances: handlers treat them as read-only). Only events a projection
 * handles are turned into instances, so events of types without a class are
 * never an error for projections that do not handle them.
 */
import { EventSerializer } from '../domain/event-serializer';
import type { RecordedEvent } from '../types';

type Outcome = { instance: object } | { error: unknown };

export class EventInstances {
  private readonly serializer = new EventSerializer({ unknownEventType: 'error' });
  private readonly outcomes = new WeakMap<RecordedEvent, Outcome>();

  /** The event's instance; throws what deserialising it threw (upcaster missing, bad data), every time it is asked. */
  of(event: RecordedEvent): object {
    let outcome = this.outcomes.get(event);
    if (!outcome) {
      try {
        outcome = { instance: this.serializer.deserialize(event) };
      } catch (error) {
        outcome = { error };
      }
      this.outcomes.set(event, outcome);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.instance;
  }
}
