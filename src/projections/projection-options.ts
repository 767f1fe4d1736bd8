/**
 * The public shapes of projections (options, handler context, status,
 * rebuild progress), validated and completed with defaults here, once.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidArgumentError } from '../errors';
import type { StartFrom } from '../subscriptions/subscription-options';
import type { RecordedEvent } from '../types';
import { assertBoolean, invalidValue, optionalFunction, optionalInteger, optionsObject, optionalRetryDelays } from '../validation';

/** Options of `@Projection(name, options)`. */
export interface ProjectionOptions {
  /** Where the projection starts the first time it runs: 'origin' (default), 'current', or after `$all` position n. */
  startFrom?: StartFrom | undefined;
  /** `$all` events read and applied per transaction; default 1000. */
  batchSize?: number | undefined;
  /** Failed attempts at one position before the projection stops in the `failed` state (or parks the event); default 5. */
  maxAttempts?: number | undefined;
  /**
   * What happens after `maxAttempts` failures at one event: 'stop' (default)
   * stops the projection in the `failed` state; 'park' sets the event aside
   * in the parked events (`runner.parked(name)`, `runner.replayParked(name)`)
   * and carries on after it, the park and the checkpoint move in one transaction.
   */
  poisonEvents?: PoisonEventPolicy | undefined;
  /**
   * Apply the events inside the transaction of the append that writes them
   * (read your writes), instead of following `$all`. See the guide's trade-offs.
   */
  inline?: boolean | undefined;
  /**
   * `em.findOne` by primary key in handlers is batched (default true): the
   * first lookup of a batch that misses the identity map loads, in one
   * query, the rows of every event of the batch whose same field holds a key
   * (see the guide's handler patterns). false: one query per row, as MikroORM does.
   */
  batchLookups?: boolean | undefined;
}

/** See `ProjectionOptions.poisonEvents`. */
export type PoisonEventPolicy = 'stop' | 'park';

/**
 * The second argument of every `@Handles` method. `P` is the type of
 * `prepared`: what the projection's `prepare` resolves to (see PreparedOf);
 * `@Handles` refuses a handler whose `ProjectionContext<P>` does not match it.
 */
export interface ProjectionContext<P = unknown> {
  /**
   * The batch's transaction: an EntityManager of `store.orm` (which holds the
   * read-model entities). Changes made through it commit together with the
   * projection's checkpoint, or not at all.
   */
  readonly em: EntityManager;
  /** The stored event; inline projections see `position` 0 (positions are given after the commit). */
  readonly event: RecordedEvent;
  /** What the projection's `prepare(events, ctx)` returned for this batch (undefined without one). */
  readonly prepared: P;
}

/** What a projection class's `prepare` method resolves to, or undefined when it has none: the type of `ctx.prepared`. */
export type PreparedOf<T> = T extends { prepare(...args: any[]): infer R } ? Awaited<R> : undefined;

/**
 * The second argument of a projection's optional `prepare(events, ctx)`
 * method, called once per batch before its handlers, with the batch's event
 * instances that it handles: the place to load, in one query, the rows the
 * handlers will change. What it returns reaches every handler of the batch
 * as `ctx.prepared` (e.g. a Map of the rows by key), so that handlers change
 * entities without a query each.
 */
export interface ProjectionBatchContext {
  /** The batch's transaction, the same EntityManager the handlers get. */
  readonly em: EntityManager;
  /** The stored events of the batch that the projection handles, in `$all` order. */
  readonly events: readonly RecordedEvent[];
}

/** The argument of a projection's optional `reset(ctx)` method, called by `rebuild` to clear the read model. */
export interface ProjectionResetContext {
  /** The transaction that also moves the checkpoint back to the origin. */
  readonly em: EntityManager;
}

/**
 * - `stopped`: not running in this runner;
 * - `starting`: asking for ownership;
 * - `standby`: another process (or store) runs it; waiting to take over;
 * - `catching-up` / `live`: the owner, behind / at the end of `$all`;
 * - `retrying`: a batch failed (or the database did); trying again after a backoff;
 * - `rebuilding`: replaying `$all` from the origin;
 * - `failed`: stopped after `maxAttempts` failures, see `failure` (stored, so every process sees it);
 * - `inline`: applied by this store's appends (inline projections).
 */
export type ProjectionState = 'stopped' | 'starting' | 'standby' | 'catching-up' | 'live' | 'retrying' | 'rebuilding' | 'failed' | 'inline';

export interface ProjectionStatus {
  name: string;
  state: ProjectionState;
  /** The last `$all` position applied (as stored); null for inline projections, which have none. */
  checkpoint: number | null;
  /** `$all` events after the checkpoint (0 when caught up, and for inline projections). */
  lag: number;
  /** Who runs it now (`host:pid:store`), or null. */
  owner: string | null;
  /**
   * Why it failed (state `failed`), or the last error while `retrying`. In
   * a process other than the one where it failed, an Error with the stored
   * message and `code`.
   */
  error?: Error;
  /** The position of the event it failed at (state `failed`). */
  failedPosition?: number;
  /** Events it has parked (`poisonEvents: 'park'`) and that are not replayed yet. */
  parked: number;
  /**
   * The failure stored with the projection's row, whichever process it
   * happened in; cleared once a run gets past it. Undefined when there is none.
   */
  failure?: ProjectionFailure;
}

/** Why a projection stopped in the `failed` state, as stored with its row. */
export interface ProjectionFailure {
  /** The failing handler's error message. */
  message: string;
  /** That error's `code`, when it had a string one. */
  code: string | null;
  /** The `$all` position of the event it failed at; its checkpoint is just before it. */
  position: number;
  /** When it stopped. */
  failedAt: Date;
}

export interface RebuildProgress {
  projection: string;
  /** Events replayed so far (those the projection skips included). */
  done: number;
  /** Events to replay, as counted when the rebuild started (grows if writers outpace it). */
  total: number;
  /** The `$all` position reached. */
  position: number;
  elapsedMs: number;
  /** Events per second so far. */
  ratePerSecond: number;
}

export interface RebuildOptions {
  /** Called after each committed batch. */
  onProgress?: ((progress: RebuildProgress) => void) | undefined;
  /** How long to wait for the projection's ownership (another process may run it); default 10000. */
  ownershipTimeoutMs?: number | undefined;
}

export interface RebuildResult {
  projection: string;
  /** Events replayed. */
  events: number;
  /** The `$all` position the projection reached. */
  position: number;
  elapsedMs: number;
}

export interface ProjectionRunnerOptions {
  /** How often a standby tries to take a projection over; default 1000. */
  takeoverIntervalMs?: number | undefined;
  /** First delay before a failed batch is tried again; doubles each time; default 100. */
  retryDelayMs?: number | undefined;
  /** The longest retry delay; default 30000. */
  maxRetryDelayMs?: number | undefined;
  /** Called with every failure (as is the runner's `error` event). */
  onError?: ((error: Error, projection: string) => void) | undefined;
}

export interface ResolvedProjectionOptions {
  startFrom: StartFrom;
  batchSize: number;
  maxAttempts: number;
  poisonEvents: PoisonEventPolicy;
  inline: boolean;
  batchLookups: boolean;
}

export interface ResolvedRunnerOptions {
  takeoverIntervalMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  onError?: (error: Error, projection: string) => void;
}

export const PROJECTION_DEFAULTS = {
  batchSize: 1000,
  maxBatchSize: 10_000,
  maxAttempts: 5,
  takeoverIntervalMs: 1000,
  retryDelayMs: 100,
  maxRetryDelayMs: 30_000,
  ownershipTimeoutMs: 10_000,
  waitTimeoutMs: 5_000,
} as const;

/** Options of `runner.waitFor(name, position, options)`. */
export interface WaitForOptions {
  /** How long to wait for the projection's committed checkpoint to reach the position; default 5000. */
  timeoutMs?: number | undefined;
}

export function resolveWaitForOptions(options: WaitForOptions | undefined): { timeoutMs: number } {
  const o = optionsObject(options, 'options') as WaitForOptions;
  return { timeoutMs: optionalInteger(o.timeoutMs, PROJECTION_DEFAULTS.waitTimeoutMs, 0, 'options.timeoutMs') };
}

/** A `$all` position to wait for: an integer >= 0. */
export function assertPosition(position: unknown): asserts position is number {
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw invalidValue('position', 'a $all position (an integer >= 0)', position);
  }
}

export function resolveProjectionOptions(options: ProjectionOptions | undefined, argument: string): ResolvedProjectionOptions {
  const o = optionsObject(options, argument) as ProjectionOptions;
  const startFrom = o.startFrom ?? 'origin';
  if (startFrom !== 'origin' && startFrom !== 'current' && !(Number.isSafeInteger(startFrom) && (startFrom as number) >= 0)) {
    throw invalidValue(`${argument}.startFrom`, "'origin', 'current' or a position >= 0", startFrom);
  }
  const inline = o.inline ?? false;
  assertBoolean(inline, `${argument}.inline`);
  const poisonEvents = o.poisonEvents ?? 'stop';
  if (poisonEvents !== 'stop' && poisonEvents !== 'park') {
    throw invalidValue(`${argument}.poisonEvents`, "'stop' or 'park'", poisonEvents);
  }
  const batchLookups = o.batchLookups ?? true;
  assertBoolean(batchLookups, `${argument}.batchLookups`);
  if (inline && poisonEvents === 'park') {
    throw new InvalidArgumentError(`${argument}.poisonEvents`, "an inline projection cannot park events: its failures fail the append that wrote them");
  }
  return {
    startFrom,
    batchSize: optionalInteger(o.batchSize, PROJECTION_DEFAULTS.batchSize, 1, `${argument}.batchSize`, PROJECTION_DEFAULTS.maxBatchSize),
    maxAttempts: optionalInteger(o.maxAttempts, PROJECTION_DEFAULTS.maxAttempts, 1, `${argument}.maxAttempts`),
    poisonEvents,
    inline,
    batchLookups,
  };
}

export function resolveRunnerOptions(options: ProjectionRunnerOptions | undefined): ResolvedRunnerOptions {
  const o = optionsObject(options, 'options') as ProjectionRunnerOptions;
  const d = PROJECTION_DEFAULTS;
  const { retryDelayMs, maxRetryDelayMs } = optionalRetryDelays(o, d);
  const onError = optionalFunction(o.onError, 'options.onError');
  return {
    takeoverIntervalMs: optionalInteger(o.takeoverIntervalMs, d.takeoverIntervalMs, 1, 'options.takeoverIntervalMs'),
    retryDelayMs,
    maxRetryDelayMs,
    onError,
  };
}

export interface ResolvedRebuildOptions {
  onProgress?: (progress: RebuildProgress) => void;
  ownershipTimeoutMs: number;
}

export function resolveRebuildOptions(options: RebuildOptions | undefined): ResolvedRebuildOptions {
  const o = optionsObject(options, 'options') as RebuildOptions;
  return {
    onProgress: optionalFunction(o.onProgress, 'options.onProgress'),
    ownershipTimeoutMs: optionalInteger(o.ownershipTimeoutMs, PROJECTION_DEFAULTS.ownershipTimeoutMs, 0, 'options.ownershipTimeoutMs'),
  };
}
