/**
 * Runs projections: `store.projections([...])`, then `start()` / `stop()`,
 * `status(name)`, `lag(name)`, `rebuild(name)`, `waitFor(name, position)`
 * (waiting/checkpoint-waiters.ts) and the parked events of projections
 * that park poison events: `parked(name)`, `replayParked(name)`
 * (parking/parked-events.ts).
 *
 * The exactly-once invariant. A projection's read model in the store's
 * database always equals the result of applying, once each and in `$all`
 * order, exactly the events up to its checkpoint, and nothing else. It holds
 * because every batch commits its handlers' changes together with the move
 * of the checkpoint, in one transaction, and that move is a compare-and-set
 * on the previous checkpoint and on the owner's fencing epoch (the
 * projection's row in the subscriptions table). A runner that lost the
 * projection (another process or store claimed it, incrementing the epoch)
 * or that read a stale checkpoint has its compare-and-set refused, and its
 * whole batch rolls back, whatever its handlers did. So two runners racing
 * on one projection, a crash in the middle of a batch (kill -9, a lost
 * connection: the transaction never commits) or a handler that throws can
 * neither skip an event nor apply one twice; the next batch resumes at the
 * checkpoint as stored. Ownership (an advisory lock, see
 * subscriptions/ownership.ts) only makes one runner do the work; the
 * compare-and-set is what makes it correct. Side effects outside the
 * database (mail, HTTP) are not covered: they happen at least once.
 *
 * Projections share what they can: one wake-up listener, pages of `$all`
 * read once for those at the same checkpoint, and one instance per event.
 * Inline projections are not followed on `$all`: while the runner is
 * started, this store's appends apply them inside their own transaction
 * (repositories/inline-append.ts).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MikroORM } from '@mikro-orm/core';
import type { Notifier } from '../repositories/notifier';
import type { SqlRunner, Statement } from '../repositories/sql-runner';
import type { StoreContext } from '../repositories/store-context';
import type { StreamReader } from '../repositories/stream-reader';
import type { PersonalDataProtection } from '../domain/personal-data/personal-data';
import type { ResolvedFilter } from '../repositories/read-filter';
import type { SubscriptionManager } from '../subscriptions/subscription-manager';
import type { Wakeable } from '../subscriptions/wake-hub';
import type { RecordedEvent } from '../types';
import { ALL_STREAM } from '../protocol';
import { invalidValue } from '../validation';
import { reportedError } from '../errors';
import { BatchCommitter, BatchFailure, applyEvents } from './batch-commit';
import { ProjectionNotFoundError } from './errors';
import { ParkedEvent, ParkedEvents, ReplayParkedResult } from './parking/parked-events';
import { parkedStatements } from './sql/parked.sql';
import { CheckpointWaiters } from './waiting/checkpoint-waiters';
import { EventInstances } from './event-instances';
import { rebuildInline } from './inline-rebuild';
import { PageReader } from './page-reader';
import { ProjectionDefinition, definitionsOf } from './projection-definition';
import type { StoreProjections } from './store-projections';
import type { AppendHook } from '../repositories/inline-append';
import {
  ProjectionRunnerOptions,
  ProjectionState,
  ProjectionStatus,
  RebuildOptions,
  RebuildResult,
  ResolvedRunnerOptions,
  WaitForOptions,
  assertPosition,
  resolveRebuildOptions,
  resolveRunnerOptions,
  resolveWaitForOptions,
} from './projection-options';
import { ProjectionWorker, StatusRow } from './projection-worker';
import { ProjectionStatements, projectionStatements } from './sql/projections.sql';

export interface ProjectionRunnerEvents {
  /** Every failure: a batch that failed (and will be retried), a projection that gave up, a lost ownership. */
  error: [error: Error, projection: string];
  state: [projection: string, state: ProjectionState];
}

/** What a runner uses of its store (the store's wiring passes the store itself). */
export interface ProjectionHost {
  readonly orm: MikroORM;
  /** The started store's services. */
  internals(): Promise<{
    context: StoreContext;
    reader: StreamReader;
    /** Reads that standbys may serve. */
    routedReader: StreamReader;
    subscriptions: SubscriptionManager;
    personal: PersonalDataProtection;
    notifier: Notifier;
  }>;
}

/** What the runner builds on the store's services, on first use. */
interface RunnerResources {
  subscriptions: SubscriptionManager;
  runner: SqlRunner;
  statements: ProjectionStatements;
  committer: BatchCommitter;
  instances: EventInstances;
  pages: PageReader;
  readAll(startPosition: number, count: number): Promise<RecordedEvent[]>;
  eventsAfter(position: number): Promise<number>;
  lastPosition(): Promise<number>;
  workers: Map<string, ProjectionWorker>;
  sequence: Statement;
  waiters: CheckpointWaiters;
  parked: ParkedEvents;
}

/** How often `waitFor` re-reads the checkpoints while anybody waits (notifications do the real work). */
const WAIT_RECHECK_MS = 1000;

export class ProjectionRunner extends EventEmitter<ProjectionRunnerEvents> {
  /** The names of the runner's projections, in the order given. */
  readonly names: readonly string[];
  private readonly definitions: ReadonlyMap<string, ProjectionDefinition>;
  /** The projections this store's appends apply (inline), not followed on `$all`. */
  private readonly inline: readonly ProjectionDefinition[];
  private readonly settings: ResolvedRunnerOptions;
  private readonly logger: Logger;
  private resources?: Promise<RunnerResources>;
  /** The resources once built (wake-ups and inline appends need them synchronously). */
  private currentResources?: RunnerResources;
  private started = false;
  private starting?: Promise<void>;
  private unwatch?: () => void;
  private removeInline?: () => void;
  private readonly waker: Wakeable = { wake: (position) => this.wake(position) };
  private readonly inlineApplier: AppendHook = {
    handlesAny: (eventTypes) => this.inline.some((definition) => eventTypes.some((type) => definition.handles(type))),
    apply: (em, events) => this.applyInline(em, events),
  };

  /** Use `store.projections(projections, options)`. */
  constructor(
    private readonly store: ProjectionHost,
    private readonly storeProjections: StoreProjections,
    projections: ReadonlyArray<unknown>,
    options?: ProjectionRunnerOptions,
  ) {
    super();
    this.settings = resolveRunnerOptions(options);
    const definitions = definitionsOf(projections);
    this.definitions = new Map(definitions.map((definition) => [definition.name, definition]));
    this.names = definitions.map((definition) => definition.name);
    this.inline = definitions.filter((definition) => definition.options.inline);
    this.logger = store.orm.config.getLogger();
  }

  /**
   * Runs the projections: each asks for its ownership (and waits as a
   * standby where another process runs it), then catches up and follows
   * `$all`; inline projections are applied by this store's appends from now
   * on. Calling it again restarts projections that failed.
   */
  start(): Promise<void> {
    this.starting ??= this.startAll().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops every projection: batches in flight commit or roll back, ownership is released. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    this.started = false;
    this.unwatch?.();
    this.unwatch = undefined;
    this.removeInline?.();
    this.removeInline = undefined;
    const parts = await this.resources?.catch(() => undefined);
    if (parts) {
      await Promise.all([...parts.workers.values()].map((worker) => worker.stop()));
      void parts.subscriptions.locks.disconnectIfIdle();
    }
    this.storeProjections.free(this);
    this.storeProjections.untrack(this);
  }

  async status(name: string): Promise<ProjectionStatus> {
    const definition = this.definitionOf(name);
    const parts = await this.resourcesOf();
    if (definition.options.inline) {
      return { name, state: this.removeInline ? 'inline' : 'stopped', checkpoint: null, lag: 0, owner: null, parked: 0 };
    }
    return parts.workers.get(name)!.status();
  }

  /** The number of `$all` events after the projection's checkpoint (0 when caught up, and for inline projections). */
  async lag(name: string): Promise<number> {
    return (await this.status(name)).lag;
  }

  /**
   * Clears the read model (`reset(ctx)`), moves the checkpoint back to the
   * origin in the same transaction, and replays `$all`, holding the
   * projection's ownership throughout; resolves when it has caught up. Writes
   * may go on meanwhile: the projection ends as if it had run from the start.
   */
  async rebuild(name: string, options?: RebuildOptions): Promise<RebuildResult> {
    const definition = this.definitionOf(name);
    const resolved = resolveRebuildOptions(options);
    const parts = await this.resourcesOf();
    if (definition.options.inline) return rebuildInline({ ...parts, newEm: () => parts.committer.newEm() }, definition, resolved);
    // Not started: the name is held for the rebuild's length, so that no other runner of this store runs it meanwhile.
    const reserved = !this.started;
    if (reserved) this.storeProjections.reserve(this, [name]);
    try {
      return await parts.workers.get(name)!.rebuild(resolved, this.started);
    } finally {
      if (reserved && !this.started) this.storeProjections.free(this, [name]);
    }
  }

  /**
   * Resolves once the projection's committed checkpoint is at `position` or
   * beyond (its read model then shows every event up to it), whichever
   * process runs it; rejects with ProjectionWaitTimeoutError after
   * `timeoutMs` (default 5000). For a command's own writes: the position
   * of its append (`readAllForward`, `streamInfo`). Inline projections
   * resolve at once: the append that returned applied them.
   */
  async waitFor(name: string, position: number, options?: WaitForOptions): Promise<void> {
    const definition = this.definitionOf(name);
    assertPosition(position);
    const { timeoutMs } = resolveWaitForOptions(options);
    const parts = await this.resourcesOf();
    if (definition.options.inline) return;
    await parts.waiters.wait(name, position, timeoutMs);
  }

  /** The events the projection parked (`poisonEvents: 'park'`), in `$all` order. */
  async parked(name: string): Promise<ParkedEvent[]> {
    this.definitionOf(name);
    return (await this.resourcesOf()).parked.list(name);
  }

  /**
   * Applies the projection's parked events again, in `$all` order, through
   * its handlers: each one that succeeds leaves the parked events in the
   * transaction that applies it; one that fails stays, with one attempt more
   * and its new error. Works whether or not (and wherever) the projection runs.
   */
  async replayParked(name: string): Promise<ReplayParkedResult> {
    const definition = this.definitionOf(name);
    return (await this.resourcesOf()).parked.replay(definition);
  }

  // ---- internals

  private async startAll(): Promise<void> {
    const parts = await this.resourcesOf();
    if (!this.started) {
      this.storeProjections.reserve(this, this.names);
      this.storeProjections.track(this);
      this.started = true;
      try {
        if (parts.workers.size > 0) this.unwatch = await parts.subscriptions.watch(ALL_STREAM, this.waker);
        if (this.inline.length > 0) this.removeInline = this.storeProjections.addInline(this.inlineApplier);
      } catch (error) {
        await this.shutdown();
        throw error;
      }
      for (const definition of this.inline) this.stateChanged(definition.name, 'inline');
    }
    try {
      await Promise.all([...parts.workers.values()].map((worker) => worker.start()));
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  private wake(position?: number): void {
    const parts = this.currentResources;
    if (!parts) return;
    parts.pages.woken();
    for (const worker of parts.workers.values()) worker.wake(position);
  }

  private resourcesOf(): Promise<RunnerResources> {
    this.resources ??= this.buildResources().then(
      (parts) => (this.currentResources = parts),
      (error) => {
        this.resources = undefined;
        throw error;
      },
    );
    return this.resources;
  }

  private async buildResources(): Promise<RunnerResources> {
    const { context, reader, routedReader, subscriptions, personal, notifier } = await this.store.internals();
    const statements = projectionStatements(context.naming);
    const parkedSql = parkedStatements(context.naming);
    const instances = new EventInstances();
    // Events may come from a standby (checkpoints and read models are written on the primary);
    // projections see personal fields opened, or null for forgotten subjects.
    const readAll = async (start: number, count: number) => personal.reveal(await routedReader.readAllForward(start, count));
    const readFiltered = async (start: number, count: number, filter: ResolvedFilter) => {
      const page = await routedReader.readAllFiltered(start, count, filter);
      return { ...page, events: await personal.reveal(page.events) };
    };
    const eventsAfter = async (position: number) =>
      (await context.runner.query<{ count: number }>(statements.eventsAfter, [position]))[0].count;
    const lastPosition = () => reader.lastPosition();
    const statusRow = async (definition: ProjectionDefinition) =>
      (await context.runner.query<StatusRow>(statements.status, [definition.subscriptionName, definition.name]))[0];
    const committer = new BatchCommitter(this.store.orm, subscriptions.rows, instances, { runner: context.runner, projections: statements, parked: parkedSql });
    const bySubscription = new Map([...this.definitions.values()].map((definition) => [definition.subscriptionName, definition.name]));
    const waiters = new CheckpointWaiters({
      notifier,
      projectionOf: (subscriptionName) => bySubscription.get(subscriptionName),
      readCheckpoint: async (projection) => {
        const [row] = await context.runner.query<{ last_seen: number }>(statements.checkpoint, [this.definitions.get(projection)!.subscriptionName]);
        return row?.last_seen ?? 0;
      },
      recheckMs: WAIT_RECHECK_MS,
      report: (error, projection) => this.report(error, projection),
    });
    const parked = new ParkedEvents({
      runner: context.runner,
      sql: parkedSql,
      instances,
      newEm: () => committer.newEm(),
      exclusive: (definition, trx) => committer.exclusive(definition, trx),
      eventAt: async (position) => (await personal.reveal(await reader.readAllForward(position, 1))).find((event) => event.position === position),
    });
    const parts: RunnerResources = {
      subscriptions,
      runner: context.runner,
      statements,
      committer,
      instances,
      pages: new PageReader({ readAll, readFiltered }),
      readAll,
      eventsAfter,
      lastPosition,
      workers: new Map(),
      sequence: context.sequencer.sequence,
      waiters,
      parked,
    };
    for (const definition of this.definitions.values()) {
      if (definition.options.inline) continue;
      parts.workers.set(definition.name, new ProjectionWorker(definition, {
        subscriptions,
        pages: parts.pages,
        committer: parts.committer,
        eventsAfter,
        lastPosition,
        statusRow,
        checkpointMoved: (projection, position) => waiters.moved(projection, position),
        settings: this.settings,
        report: (error, projection) => this.report(error, projection),
        stateChanged: (projection, state) => this.stateChanged(projection, state),
      }));
    }
    return parts;
  }

  /** This store's append applies the inline projections to its events, in its transaction. */
  private async applyInline(em: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    const parts = this.currentResources!;
    for (const definition of this.inline) {
      const name = definition.name;
      const handled = events.filter((event) => definition.handles(event.eventType));
      if (handled.length === 0) continue;
      // Shared with other appends; a rebuild of the projection takes it exclusively.
      await parts.runner.query(parts.statements.inlineShared, [name], em.getTransactionContext());
      try {
        await applyEvents(definition, em, handled, parts.instances);
      } catch (error) {
        // The caller sees its handler's own error.
        throw error instanceof BatchFailure ? error.cause : error;
      }
    }
  }

  private definitionOf(name: string): ProjectionDefinition {
    if (typeof name !== 'string') throw invalidValue('name', 'a projection name', name);
    const definition = this.definitions.get(name);
    if (!definition) throw new ProjectionNotFoundError(name, this.names);
    return definition;
  }

  private stateChanged(projection: string, state: ProjectionState): void {
    this.emit('state', projection, state);
  }

  /**
   * To `onError`, to `error` listeners, and when nobody listens to MikroORM's logger (an unheard `error` event would throw);
   * a driver's error as a `StoreOperationError` naming the projection.
   */
  private report(failure: Error, projection: string): void {
    const error = reportedError(failure, `projection ${JSON.stringify(projection)}`);
    const listened = this.listenerCount('error') > 0;
    if (this.settings.onError) {
      try {
        this.settings.onError(error, projection);
      } catch {
        // the callback's own failure must not stop the projection
      }
    }
    if (listened) this.emit('error', error, projection);
    if (!listened && !this.settings.onError) this.logger.error('info', `[eventstore] projection ${JSON.stringify(projection)}: ${error.message}`);
  }
}
