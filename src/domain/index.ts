/** The domain layer's public names (re-exported by src/index.ts). */
export { AggregateRoot } from './aggregate-root';
export { SNAPSHOT_VERSION_KEY } from './aggregate-snapshot';
export { BigIntField } from './bigint-field';
export { Aggregate, Apply, DomainEvent, type AggregateOptions, type DomainEventOptions, type EventHandlerDecorator } from './decorators';
export {
  AggregateIdNotSetError,
  AggregateNotRegisteredError,
  DuplicateAggregateError,
  DuplicateEventTypeError,
  DuplicateUpcasterError,
  EventClassNotRegisteredError,
  EventDeserializationError,
  MissingApplyHandlerError,
  MissingUpcasterError,
  UnknownEventTypeError,
  UnsupportedEventVersionError,
} from './errors';
export { EventSerializer, type EventEnvelope, type EventSerializerOptions } from './event-serializer';
export { type EventClass, type UpcastContext, type Upcaster } from './registry';
export { SCHEMA_VERSION_KEY, registerUpcaster } from './upcasters';
