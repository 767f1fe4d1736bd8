import 'reflect-metadata';

export { EventStore } from './store/event-store';
export type { EventStoreConnectOptions, EventStoreOptions } from './store/store-options';
export type { ReadModelSchemaReport } from './store/read-model-schema';
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
  UnexpectedAckError,
  WrongExpectedVersionError,
} from './errors';
export { ConcurrencyRetriesExhaustedError, ConnectionError, SubscriptionStalledError } from './errors';
export { OwnershipLostError, StoreOperationError, SubscriptionHandlerError } from './errors';

// Retention: truncation and per-stream limits, see docs/retention.md.
export { StreamTruncatedError } from './errors';
export { RetentionJob } from './retention/retention-job';
export type { RetentionJobOptions, RetentionPassReport } from './retention/retention-job';
export type { StreamRetention, StreamRetentionLimits, TruncateResult } from './retention/stream-retention';

// Read replicas: reads served by hot standbys, see docs/scaling.md.
export { ReplicaTimeoutError, ReplicaUnavailableError } from './errors';
export type { ReplicaFallback, ReplicaOptions } from './replication/replica-options';

// Subscriptions: transient and persistent, see src/subscriptions.
export type {
  AckTarget,
  PersistentSubscriptionOptions,
  StartFrom,
  SubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionHandler,
  SubscriptionSettings,
  SubscriptionState,
} from './subscriptions/subscription-options';

// Domain layer: decorated events and aggregates, upcasters, aggregate repositories.
export * from './domain';
export {
  AggregateRepository,
  DEFAULT_UPDATE_RETRIES,
  DEFAULT_UPDATE_RETRY_DELAY_MS,
  aggregateRepositoryToken,
  type AggregateClass,
  type AggregateRepositoryOptions,
  type AggregateRepositoryToken,
  type SaveOptions,
  type UpdateOptions,
} from './domain/aggregate-repository';

// Projections: decorated read-model handlers, their runner, rebuilds.
export * from './projections';

// Personal data: crypto-shredding of @PersonalData fields, see src/domain/personal-data.
export * from './domain/personal-data';
export type { ReadAllOptions, ReadFilter } from './types';
export { exportEvents, importEvents, parseNdjson, ImportError } from './export-import';
export type { ExportOptions, ImportOptions, ImportProgress, ExportedEvent, ExportedLink, ExportRecord, ImportErrorReason } from './export-import';
export type { ExportedGap, ExportedTruncation } from './export-import';
