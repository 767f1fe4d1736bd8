import 'reflect-metadata';

export { EventStore } from './repositories/event-store';
export type { EventStoreConnectOptions, EventStoreOptions } from './repositories/store-options';
export {
  ExpectedVersion,
  type AppendResult,
  type DeleteOptions,
  type EventData,
  type ExpectedVersionValue,
  type PaginateStreamsOptions,
  type RecordedEvent,
  type SnapshotData,
  type StreamInfo,
  type StreamPage,
  type StreamReadOptions,
  type WriteOptions,
} from './types';
export {
  DuplicateEventError,
  EventNotFoundError,
  EventStoreError,
  InvalidArgumentError,
  NotSupportedError,
  SnapshotNotFoundError,
  StoreClosedError,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  SubscriptionAlreadyExistsError,
  SubscriptionNotFoundError,
  WrongExpectedVersionError,
} from './errors';
