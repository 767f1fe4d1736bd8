/** Errors of projections: registration, the runner, failed batches and rebuilds. */
import { EventStoreError } from '../errors';

/** A class given to the runner that is not decorated with `@Projection`. */
export class ProjectionNotRegisteredError extends EventStoreError {
  readonly code = 'projection_not_registered';

  constructor(readonly className: string) {
    super(`Class ${className} is not a projection: decorate it with @Projection('name')`);
  }
}

/** Two projection classes under one name, or one runner given two projections of one name. */
export class DuplicateProjectionError extends EventStoreError {
  readonly code = 'duplicate_projection';

  constructor(readonly projection: string, detail: string) {
    super(`Duplicate projection ${JSON.stringify(projection)}: ${detail}`);
  }
}

/** A projection name the runner does not run. */
export class ProjectionNotFoundError extends EventStoreError {
  readonly code = 'projection_not_found';

  constructor(readonly projection: string, known: readonly string[]) {
    super(`No projection ${JSON.stringify(projection)} in this runner (it runs ${known.map((name) => JSON.stringify(name)).join(', ') || 'none'})`);
  }
}

/**
 * A batch of a projection failed: a handler threw (or the flush of its
 * changes failed). The batch's read-model changes and checkpoint were rolled
 * back; it is tried again after a backoff. `position` is the `$all` position
 * of the event whose handler threw, when known.
 */
export class ProjectionHandlerError extends EventStoreError {
  readonly code = 'projection_handler_failed';

  constructor(
    readonly projection: string,
    readonly cause: unknown,
    readonly position: number | undefined,
    /** Failures in a row at this point, this one included. */
    readonly attempt: number,
  ) {
    super(`Projection ${JSON.stringify(projection)} failed${position !== undefined ? ` at position ${position}` : ''} ` +
      `(attempt ${attempt}): ${messageOf(cause)}`, { cause });
  }
}

/**
 * A projection stopped after `maxAttempts` failures at one position. Its
 * checkpoint is just before `position`; nothing of the failed batch was
 * applied. `runner.start()` (or a rebuild) tries it again.
 */
export class ProjectionFailedError extends EventStoreError {
  readonly code = 'projection_failed';

  constructor(
    readonly projection: string,
    readonly cause: unknown,
    readonly position: number,
    readonly attempts: number,
  ) {
    super(`Projection ${JSON.stringify(projection)} stopped after ${attempts} failed attempt${attempts === 1 ? '' : 's'} ` +
      `at position ${position}: ${messageOf(cause)}`, { cause });
  }
}

/** A rebuild could not get the projection: another process runs it (`owner`), or a rebuild of it is already running. */
export class ProjectionBusyError extends EventStoreError {
  readonly code = 'projection_busy';

  constructor(readonly projection: string, detail: string) {
    super(`Projection ${JSON.stringify(projection)} is busy: ${detail}`);
  }
}

/**
 * A rebuild ended before it caught up: the runner stopped, or the projection's
 * ownership was lost. The read model is consistent with the checkpoint it
 * reached; whoever runs the projection next carries on from there.
 */
export class RebuildInterruptedError extends EventStoreError {
  readonly code = 'rebuild_interrupted';

  constructor(readonly projection: string, reason: string, options?: { cause?: unknown }) {
    super(`Rebuild of projection ${JSON.stringify(projection)} interrupted: ${reason}`, options);
  }
}

/**
 * `runner.waitFor` gave up: the projection's committed checkpoint had not
 * reached `position` within `timeoutMs` (it had reached `checkpoint`).
 */
export class ProjectionWaitTimeoutError extends EventStoreError {
  readonly code = 'projection_wait_timeout';

  constructor(
    readonly projection: string,
    readonly position: number,
    /** The committed checkpoint last seen (0 before the projection first ran). */
    readonly checkpoint: number,
    readonly timeoutMs: number,
  ) {
    super(`Projection ${JSON.stringify(projection)} did not reach position ${position} within ${timeoutMs} ms (its checkpoint is at ${checkpoint})`);
  }
}

/**
 * A projection with `poisonEvents: 'park'` set an event aside after
 * `maxAttempts` failures and carried on (reported, not thrown). See
 * `runner.parked(name)` and `runner.replayParked(name)`.
 */
export class ProjectionEventParkedError extends EventStoreError {
  readonly code = 'projection_event_parked';

  constructor(
    readonly projection: string,
    readonly cause: unknown,
    readonly position: number,
    readonly attempts: number,
  ) {
    super(`Projection ${JSON.stringify(projection)} parked the event at position ${position} after ${attempts} failed attempt${attempts === 1 ? '' : 's'}: ${messageOf(cause)}`, { cause });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A projection's handler (or `prepare` / `reset`) used an entity class that
 * the store's MikroORM does not know: read-model entities must be registered
 * with it. `cause` is MikroORM's own error.
 */
export class ReadModelNotRegisteredError extends EventStoreError {
  readonly code = 'read_model_not_registered';

  constructor(
    readonly projection: string,
    /** The entity's class name, when MikroORM said it. */
    readonly entityName: string | undefined,
    cause: Error,
  ) {
    super(`Projection ${JSON.stringify(projection)} used ${entityName ? `the entity ${entityName}` : 'an entity'} that the store's MikroORM does not know ` +
      `(${cause.message.replace(/\.$/, '')}). Register the read-model entities: EventStore.connect({ entities: [...] }), ` +
      'or, for a store built with new EventStore(orm), the entities of the application\'s MikroORM config', { cause });
  }
}
