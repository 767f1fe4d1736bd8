/**
 * What every contender offers the workloads. Each contender runs in a child
 * process of its own (bench/worker) on a database of its own.
 */
import type { BenchEvent } from '../fixtures';
import type { BalanceTotals, RunningRebuild } from './balances';

export const CONTENDER_KEYS = ['library', 'hand-sql', 'emmett', 'no-seq'] as const;
export type ContenderKey = (typeof CONTENDER_KEYS)[number];

/**
 * Which balances projection a workload rebuilds: the guide's `prepare`
 * pattern, the `findOne`-per-event handler, the guide's set-based pattern
 * (one statement per batch), or the set-based one with a second, empty
 * handler for the log's other type, so that it reads all of `$all`.
 * Contenders with one projection (hand SQL) run it for each.
 */
export type BalancesProjection = 'prepare' | 'find-one' | 'set-based' | 'everything';

export interface ContenderInfo {
  key: ContenderKey;
  /** Short column label. */
  label: string;
  /** One line on what exactly is measured. */
  description: string;
  /** The only workloads it runs (all when absent); the others report it as not run. */
  workloads?: readonly string[];
}

/** Identity of a read event, for the correctness checks. */
export interface EventIdentity {
  eventId: string;
  streamId: string;
  version: number;
}

export interface AllPage {
  /** The events in the contender's own shape. */
  events: unknown[];
  /** The cursor to pass as `after` for the next page. */
  next: number;
}

export interface Contender {
  /** Connects (pool of `poolSize`) and creates the contender's schema; not measured. */
  open(url: string, poolSize: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Appends at an exact expected version (0: the stream must not exist). A
   * refused expected version rejects with a `VersionConflict`.
   */
  append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void>;
  /** Reads a whole (short) stream forward, as the contender's API returns it. */
  readStream(streamId: string): Promise<unknown[]>;
  /** Reads the global log forward after cursor `after` (0 = from the start). */
  readAll(after: number, count: number): Promise<AllPage>;
  identify(event: unknown): EventIdentity;

  /**
   * Persistent subscriptions to `$all` from its current end, one per spec,
   * started together through the contender's own machinery (Emmett: one
   * consumer with a processor per spec); resolves once every one is live.
   */
  subscribeToAll(specs: SubscriptionSpec[]): Promise<BenchSubscription>;

  /** Writes the aggregate `id` with `events` events in one append. */
  seedAggregate(id: string, events: number): Promise<void>;
  /** Loads the aggregate `id` (read its stream, fold the events); returns its version. */
  loadAggregate(id: string): Promise<number>;
  /** Loads the aggregate, records one new event and saves it at the loaded version; returns the new version. */
  updateAggregate(id: string): Promise<number>;

  /** Creates the balances table (balances.ts) and the contender's projection into it, not running yet. */
  setUpBalances(): Promise<void>;
  /**
   * Starts rebuilding the balances from the origin of `$all` with the
   * contender's own machinery: it clears the table, moves the checkpoint
   * back to the origin, and replays `$all`, each batch and its checkpoint
   * in one transaction.
   */
  rebuildBalances(projection?: BalancesProjection): RunningRebuild;
  /** What the table holds and the projection's lag, for the check after each rebuild. */
  balanceTotals(projection?: BalancesProjection): Promise<BalanceTotals>;
}

export interface SubscriptionSpec {
  /** Unique within the run. */
  name: string;
  /** Called with each batch as the handler receives it, before it is acknowledged. */
  onEvents(events: unknown[]): void;
  /** Persist the checkpoint once this many events were handled since the last write (where the contender has the setting). */
  checkpointEvery: number;
  /** A failure the subscription reported (the workload fails the repetition with it). */
  onError(error: Error): void;
}

export interface BenchSubscription {
  /** Ends the subscriptions (not measured). */
  stop(): Promise<void>;
}

/** A refused expected version, whatever the contender's own error looked like. */
export class VersionConflict extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(readonly cause: unknown) {
    super(`version conflict: ${(cause as Error)?.message ?? String(cause)}`);
  }
}
