/**
 * Every error the store throws on purpose. Each has a stable `code` that
 * callers can switch on, and carries the facts a caller needs to react.
 */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stream's version is not the one the caller expected. */
export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'wrong_expected_version';

  constructor(
    readonly streamId: string,
    /** What the caller passed: a version or an `ExpectedVersion` constant. */
    readonly expectedVersion: number | string,
    /** The stream's version when the append was refused; 0 when it does not exist. */
    readonly actualVersion: number,
  ) {
    super(`Wrong expected version for stream ${JSON.stringify(streamId)}: expected ${expectedVersion}, actual ${actualVersion}`);
  }
}

/** `ExpectedVersion.NoStream` for a stream that already has events. */
export class StreamExistsError extends EventStoreError {
  readonly code = 'stream_exists';

  constructor(readonly streamId: string, readonly actualVersion: number) {
    super(`Stream ${JSON.stringify(streamId)} already exists (version ${actualVersion})`);
  }
}

/** The stream does not exist, or was hard-deleted. */
export class StreamNotFoundError extends EventStoreError {
  readonly code = 'stream_not_found';

  constructor(readonly streamId: string) {
    super(`Stream ${JSON.stringify(streamId)} not found`);
  }
}

/** The stream was soft-deleted: only `streamInfo` still answers for it. */
export class StreamDeletedError extends EventStoreError {
  readonly code = 'stream_deleted';

  constructor(readonly streamId: string) {
    super(`Stream ${JSON.stringify(streamId)} has been deleted`);
  }
}

export class SubscriptionAlreadyExistsError extends EventStoreError {
  readonly code = 'subscription_already_exists';

  constructor(readonly streamId: string, readonly subscriptionName: string) {
    super(`Subscription ${JSON.stringify(subscriptionName)} to ${JSON.stringify(streamId)} is already running in this store`);
  }
}

export class SubscriptionNotFoundError extends EventStoreError {
  readonly code = 'subscription_not_found';

  constructor(readonly streamId: string, readonly subscriptionName: string) {
    super(`Subscription ${JSON.stringify(subscriptionName)} to ${JSON.stringify(streamId)} not found`);
  }
}

export class SnapshotNotFoundError extends EventStoreError {
  readonly code = 'snapshot_not_found';

  constructor(readonly sourceId: string) {
    super(`No snapshot for ${JSON.stringify(sourceId)}`);
  }
}

/** An event id already stored, or an event linked twice into one stream. */
export class DuplicateEventError extends EventStoreError {
  readonly code = 'duplicate_event';

  constructor(readonly eventIds: readonly string[], detail: string) {
    super(`Duplicate event: ${detail}`);
  }
}

/** A link to an event id that is not stored. */
export class EventNotFoundError extends EventStoreError {
  readonly code = 'event_not_found';

  constructor(readonly eventIds: readonly string[]) {
    super(`Event not found: ${eventIds.join(', ')}`);
  }
}

/** Bad input; nothing was written. `argument` names the offending argument. */
export class InvalidArgumentError extends EventStoreError {
  readonly code = 'invalid_argument';

  constructor(readonly argument: string, problem: string) {
    super(`Invalid ${argument}: ${problem}`);
  }
}

/** An operation the store's configuration does not allow (hard deletes when not enabled). */
export class NotSupportedError extends EventStoreError {
  readonly code = 'not_supported';

  constructor(message: string) {
    super(message);
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends EventStoreError {
  readonly code = 'store_closed';

  constructor() {
    super('The event store has been closed');
  }
}

/** `sub.ack(n)` of an event that is not in flight to the subscription's handler (never delivered, or already acknowledged). */
export class UnexpectedAckError extends EventStoreError {
  readonly code = 'unexpected_ack';

  constructor(readonly subscriptionName: string, readonly eventNumber: number) {
    super(`Subscription ${JSON.stringify(subscriptionName)}: event ${eventNumber} is not in flight, so it cannot be acknowledged`);
  }
}

/**
 * A persistent subscription's handler holds `bufferSize` events and has not
 * acknowledged any of them for `stallTimeoutMs`: nothing more is delivered
 * until it does. Reported once per stall; the subscription's state is
 * `stalled` until an acknowledgement comes.
 */
export class SubscriptionStalledError extends EventStoreError {
  readonly code = 'subscription_stalled';

  constructor(
    readonly streamId: string,
    readonly subscriptionName: string,
    /** The oldest unacknowledged event's number (its `$all` position, or its version in the stream followed). */
    readonly eventNumber: number,
    /** Events delivered and not acknowledged. */
    readonly unacknowledged: number,
    readonly stalledForMs: number,
  ) {
    super(`Subscription ${JSON.stringify(subscriptionName)} to ${JSON.stringify(streamId)} is stalled: ${unacknowledged} delivered ` +
      `event${unacknowledged === 1 ? '' : 's'} (the oldest is event ${eventNumber}) not acknowledged for ${stalledForMs} ms, ` +
      'and the buffer is full. Call subscription.ack(events) in the handler, or subscribe with { autoAck: true }');
  }
}

/**
 * This process no longer owns a persistent subscription or a projection:
 * another owner took over (its checkpoint write found a newer epoch), or the
 * connection that held its advisory lock was lost (`cause` says why). It
 * stops delivering at once and tries to take over again.
 */
export class OwnershipLostError extends EventStoreError {
  readonly code = 'ownership_lost';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `AggregateRepository.update` met a version conflict on every attempt:
 * other writers kept saving the aggregate first. `cause` is the last
 * `WrongExpectedVersionError`; nothing of the last attempt was written.
 */
export class ConcurrencyRetriesExhaustedError extends EventStoreError {
  readonly code = 'concurrency_retries_exhausted';

  constructor(
    readonly streamId: string,
    /** Attempts made: the first one and every retry. */
    readonly attempts: number,
    cause: WrongExpectedVersionError,
  ) {
    super(`Update of stream ${JSON.stringify(streamId)} gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}, each refused ` +
      `by a concurrent write (last: expected version ${cause.expectedVersion}, actual ${cause.actualVersion}); ` +
      'raise { retries } or spread the writes', { cause });
  }
}

/**
 * The store could not connect to PostgreSQL, or the server refused it (an
 * unreachable host or port, an unknown database, a wrong password). The
 * message names the server and the database, never the password; `cause` is
 * the driver's error.
 */
export class ConnectionError extends EventStoreError {
  readonly code = 'connection_failed';

  constructor(
    readonly host: string,
    readonly port: number,
    readonly database: string,
    reason: string,
    cause: unknown,
  ) {
    super(`Cannot connect to PostgreSQL at ${host}:${port}, database ${JSON.stringify(database)}: ${reason}`, { cause });
  }
}

/** A read that must see what the primary has (its store's own writes) found no standby that replayed it in time. */
export class ReplicaTimeoutError extends EventStoreError {
  readonly code = 'replica_timeout';

  constructor(readonly replicaUrl: string, readonly lsn: string, readonly timeoutMs: number) {
    super(`The standby ${replicaUrl} did not replay the primary's WAL up to ${lsn} within ${timeoutMs} ms`);
  }
}

/** No standby could be reached for a read, and the store is configured not to read the primary instead. */
export class ReplicaUnavailableError extends EventStoreError {
  readonly code = 'replica_unavailable';

  constructor(readonly replicaUrls: readonly string[], options?: { cause?: unknown }) {
    super(`No standby could be reached (${replicaUrls.join(', ')})${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`, options);
  }
}

/**
 * An aggregate's stream was truncated (retention) past what its snapshot
 * covers: the events needed to rebuild it are gone, so it is not loaded in
 * a wrong state. `neededVersion` is the version the load needed next;
 * `firstVersion` the first one still stored (null when none is).
 */
export class StreamTruncatedError extends EventStoreError {
  readonly code = 'stream_truncated';

  constructor(readonly streamId: string, readonly neededVersion: number, readonly firstVersion: number | null) {
    super(`Stream ${JSON.stringify(streamId)} was truncated: version ${neededVersion} is needed, `
      + (firstVersion === null ? 'none is left' : `the first left is ${firstVersion}`)
      + ' (record a snapshot before truncating, or load from one that covers the removed versions)');
  }
}

/**
 * A subscription's own code threw: the handler, or its `selector`, `mapper`
 * or `partitionBy`. The message is the thrown error's own; `cause` is what
 * was thrown. The events are delivered again after a backoff.
 */
export class SubscriptionHandlerError extends EventStoreError {
  readonly code = 'subscription_handler_failed';

  constructor(readonly streamId: string, readonly subscriptionName: string | undefined, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * A database or driver failure while the store worked on its own behalf
 * (reading events for a subscription or a projection, writing a checkpoint,
 * keeping an advisory lock), reported to `onError` and retried. `sqlState`
 * is PostgreSQL's SQLSTATE when the server gave one (`57P01`: the server was
 * shut down, `53300`: too many connections, …); `cause` is the driver's
 * error, whose message this one keeps.
 */
export class StoreOperationError extends EventStoreError {
  readonly code = 'store_operation_failed';
  readonly sqlState: string | undefined;

  constructor(
    /** What failed, e.g. `subscription "billing" to $all`. */
    readonly operation: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.sqlState = sqlStateOf(cause);
  }
}

/** The SQLSTATE of a driver error or of one of its causes (MikroORM wraps pg's error, which has it as `code`). */
function sqlStateOf(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { sqlState, code, cause } = error as { sqlState?: unknown; code?: unknown; cause?: unknown };
  for (const candidate of [sqlState, code]) {
    // Five characters with a digit: an SQLSTATE, not a Node code such as EPIPE.
    if (typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) && /\d/.test(candidate)) return candidate;
  }
  return sqlStateOf(cause, depth + 1);
}

/**
 * What a subscription or a projection passes to `onError` (and its `error`
 * event): the store's own errors as they are, anything else as a
 * `StoreOperationError` of `operation`, so that every reported error has a
 * class and a `code`.
 */
export function reportedError(error: unknown, operation: string): EventStoreError {
  return error instanceof EventStoreError ? error : new StoreOperationError(operation, error);
}
