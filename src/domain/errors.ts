/** Errors of the domain layer: event types, upcasters and aggregates. */
import { EventStoreError } from '../errors';

/** A stored event whose type no `@DomainEvent` class is registered for. */
export class UnknownEventTypeError extends EventStoreError {
  readonly code = 'unknown_event_type';

  constructor(readonly eventType: string, readonly eventId?: string) {
    super(`No @DomainEvent class is registered for event type ${JSON.stringify(eventType)}${eventId ? ` (event ${eventId})` : ''}`);
  }
}

/** An event object whose class is not decorated with `@DomainEvent`. */
export class EventClassNotRegisteredError extends EventStoreError {
  readonly code = 'event_class_not_registered';

  constructor(readonly className: string) {
    super(`Class ${className} is not a domain event: decorate it with @DomainEvent('TypeName')`);
  }
}

/** Two classes registered under one event type name, or one class under two names. */
export class DuplicateEventTypeError extends EventStoreError {
  readonly code = 'duplicate_event_type';

  constructor(readonly eventType: string, detail: string) {
    super(`Duplicate event type ${JSON.stringify(eventType)}: ${detail}`);
  }
}

/** Two aggregate classes registered under one name (they would share streams). */
export class DuplicateAggregateError extends EventStoreError {
  readonly code = 'duplicate_aggregate';

  constructor(readonly aggregateName: string, detail: string) {
    super(`Duplicate aggregate ${JSON.stringify(aggregateName)}: ${detail}`);
  }
}

/** A class used as an aggregate that is not decorated with `@Aggregate`. */
export class AggregateNotRegisteredError extends EventStoreError {
  readonly code = 'aggregate_not_registered';

  constructor(readonly className: string) {
    super(`Class ${className} is not an aggregate: extend AggregateRoot and decorate it with @Aggregate('Name')`);
  }
}

/** An event raised or replayed on an aggregate that has no `@Apply` handler for its class. */
export class MissingApplyHandlerError extends EventStoreError {
  readonly code = 'missing_apply_handler';

  constructor(readonly aggregateName: string, readonly eventType: string) {
    super(`Aggregate ${aggregateName} has no @Apply(${eventType}) handler`);
  }
}

/** The aggregate's id was read before it was given one (by the constructor or the repository). */
export class AggregateIdNotSetError extends EventStoreError {
  readonly code = 'aggregate_id_not_set';

  constructor(readonly aggregateName: string) {
    super(`Aggregate ${aggregateName} has no id yet: construct it with an id, or get it from repository.load(id) or create(id)`);
  }
}

/** A second upcaster for the same event type and version. */
export class DuplicateUpcasterError extends EventStoreError {
  readonly code = 'duplicate_upcaster';

  constructor(readonly eventType: string, readonly fromVersion: number) {
    super(`An upcaster of ${JSON.stringify(eventType)} from version ${fromVersion} is already registered`);
  }
}

/** A stored event older than its class, with a gap in the upcaster chain. */
export class MissingUpcasterError extends EventStoreError {
  readonly code = 'missing_upcaster';

  constructor(readonly eventType: string, readonly fromVersion: number, readonly targetVersion: number) {
    super(`No upcaster of ${JSON.stringify(eventType)} from version ${fromVersion} (needed to reach version ${targetVersion})`);
  }
}

/** A stored event newer than its registered class: written by newer code. */
export class UnsupportedEventVersionError extends EventStoreError {
  readonly code = 'unsupported_event_version';

  constructor(readonly eventType: string, readonly storedVersion: unknown, readonly supportedVersion: number) {
    super(`Event ${JSON.stringify(eventType)} is stored at schema version ${String(storedVersion)}, ` +
      `but its class is at version ${supportedVersion}`);
  }
}

/** Stored data that cannot be turned into an instance of its event class. */
export class EventDeserializationError extends EventStoreError {
  readonly code = 'event_deserialization_failed';

  constructor(readonly eventType: string, readonly eventId: string | undefined, reason: string, options?: { cause?: unknown }) {
    super(`Cannot deserialise event ${JSON.stringify(eventType)}${eventId ? ` (${eventId})` : ''}: ${reason}`, options);
  }
}
