/**
 * One projection that follows `$all` in one runner: it asks for the
 * projection's ownership (the persistent subscription
 * `projection:<name>`, one owner across processes), and while it owns it,
 * reads pages after its checkpoint and commits them batch by batch
 * (batch-commit.ts), until it is caught up; wake-ups bring it back.
 *
 * Everything an ownership term knows (claim, cursor) lives in its `Term`
 * and is dropped whole when the term ends; every asynchronous continuation
 * checks that its term is still the current one. A term that ends while a
 * batch is in flight lets the batch finish: its checkpoint compare-and-set
 * decides whether it commits (still the owner's epoch) or rolls back.
 *
 * Failures (failure-tracker.ts): a failed batch is rolled back and tried
 * again after a backoff, cut down to the failing event; database outages are
 * retried without limit; after `maxAttempts` failures at one event the
 * projection stops (`failed`) and lets go of its ownership, or, with
 * `poisonEvents: 'park'`, parks the event and carries on after it. It parks
 * only an event known to be the failing one and first in its batch (nothing
 * before it left unapplied): until then it retries, which cuts the batches
 * down to it.
 *
 * A rebuild pauses the term, resets the read model and the checkpoint in one
 * transaction, then lets the same loop replay `$all` from the origin; it is
 * done once it has committed the end of `$all` as it was when the replay
 * began (writers may add faster than it replays); a started runner then goes
 * on following `$all`, a runner that was not started lets go.
 */
import { SubscriptionNotFoundError } from '../errors';
import { Backoff } from '../subscriptions/backoff';
import type { Ownership } from '../subscriptions/ownership';
import { startCheckpoint, termListener } from '../subscriptions/owned-term';
import type { SubscriptionManager } from '../subscriptions/subscription-manager';
import type { Claim } from '../subscriptions/subscription-rows';
import type { RecordedEvent } from '../types';
import { traceProjectionBatch } from '../telemetry';
import { ALL_STREAM } from '../protocol';
import { BatchCommitter, BatchFailure, CheckpointConflict } from './batch-commit';
import { ProjectionBusyError, ProjectionEventParkedError, ProjectionFailedError, ProjectionHandlerError, RebuildInterruptedError } from './errors';
import { FailureTracker } from './failure-tracker';
import { parkedFailureOf } from './parking/parked-events';
import { ResolvedFilter, resolveFilter } from '../repositories/read-filter';
import type { Page, PageReader } from './page-reader';
import type { ProjectionDefinition } from './projection-definition';
import type {
  ProjectionFailure,
  ProjectionState,
  ProjectionStatus,
  RebuildResult,
  ResolvedRebuildOptions,
  ResolvedRunnerOptions,
} from './projection-options';
import { RebuildJob } from './rebuild-job';
import { isConnectionError } from './transient-errors';

export interface StatusRow {
  last_seen: number;
  owner: string | null;
  lag: number;
  failed_at: Date | null;
  failure_message: string | null;
  failure_code: string | null;
  failed_position: number | null;
  parked: number;
}

export interface WorkerDeps {
  subscriptions: SubscriptionManager;
  pages: PageReader;
  committer: BatchCommitter;
  /** `$all` events after a position. */
  eventsAfter(position: number): Promise<number>;
  /** The last `$all` position. */
  lastPosition(): Promise<number>;
  /** The projection's subscription row with its lag and parked count. */
  statusRow(definition: ProjectionDefinition): Promise<StatusRow | undefined>;
  /** A batch (or a park) committed the projection's checkpoint at `position`. */
  checkpointMoved(projection: string, position: number): void;
  settings: ResolvedRunnerOptions;
  report(error: Error, projection: string): void;
  stateChanged(projection: string, state: ProjectionState): void;
}

/** Everything one ownership term knows. */
class Term {
  /** The last position committed (or, before the first batch, the claimed checkpoint). */
  cursor: number;
  /** A read may find something: set by wake-ups, full pages and retries, cleared when a read starts. */
  more = true;
  looping = false;
  /** Held by a rebuild while it resets. */
  paused = false;
  retryTimer?: NodeJS.Timeout;
  /** The row holds a failure that this term has not got past yet. */
  failureStored: boolean;

  constructor(readonly claim: Claim) {
    this.cursor = claim.lastSeen;
    this.failureStored = claim.failed;
  }
}

export class ProjectionWorker {
  private current: ProjectionState = 'stopped';
  private ownership?: Ownership;
  private term?: Term;
  /** Started by the runner: follows `$all` for good, not only for a rebuild. */
  private following = false;
  private job?: RebuildJob;
  private termBegan?: () => void;
  /** Why it stopped here; `recorded` once stored with the row. */
  private failedWith?: { error: Error; position: number; failedAt: Date; recorded: boolean };
  private lastError?: Error;
  private readonly failures: FailureTracker;
  private readonly backoff: Backoff;
  /** Loops still running, of any term: stopping waits for their batches to commit or roll back. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Letting go of an ownership: until done, no new one starts. */
  private releasing?: Promise<void>;

  /** Its `@Handles` types: it reads only those events of `$all`. */
  private readonly filter: ResolvedFilter | undefined;

  constructor(
    readonly definition: ProjectionDefinition,
    private readonly deps: WorkerDeps,
  ) {
    const eventTypes = definition.eventTypes;
    this.filter = eventTypes.length > 0 ? resolveFilter({ eventTypes }) : undefined;
    this.failures = new FailureTracker(definition.options.maxAttempts);
    this.backoff = new Backoff(deps.settings.retryDelayMs, deps.settings.maxRetryDelayMs);
  }

  get name(): string {
    return this.definition.name;
  }

  get state(): ProjectionState {
    return this.current;
  }

  /** Follows `$all` from now on (again, after a failure). */
  async start(): Promise<void> {
    this.following = true;
    if (this.failedWith) this.clearFailure();
    const term = this.term;
    if (term) {
      term.more = true;
      this.kick(term);
      return;
    }
    if (!this.ownership) this.setState('starting');
    await this.ensureOwnership();
  }

  async stop(): Promise<void> {
    this.following = false;
    this.job?.fail(new RebuildInterruptedError(this.name, 'the runner stopped'));
    await this.release();
    this.setState('stopped');
  }

  /** `$all` may have new events (up to `position` when known). */
  wake(position?: number): void {
    const term = this.term;
    if (!term || (position !== undefined && position <= term.cursor)) return;
    term.more = true;
    this.kick(term);
  }

  async status(): Promise<ProjectionStatus> {
    const row = await this.deps.statusRow(this.definition);
    // The row is the truth: a failure of this process that another one has got past since is over.
    const local = this.failedWith && !(this.failedWith.recorded && !row?.failed_at) ? this.failedWith : undefined;
    const stored = storedFailure(row) ?? (local && failureOf(local.error, local.position, local.failedAt));
    const current = this.current === 'failed' && !local ? 'stopped' : this.current;
    // A failure recorded by any process, and nobody runs it now (here or elsewhere): it is failed.
    const failedElsewhere = !local && stored !== undefined && !row?.owner && (current === 'stopped' || current === 'standby');
    const status: ProjectionStatus = {
      name: this.name,
      state: failedElsewhere ? 'failed' : current,
      checkpoint: row?.last_seen ?? 0,
      lag: row ? row.lag : await this.deps.eventsAfter(0),
      owner: row?.owner ?? null,
      parked: row?.parked ?? 0,
    };
    if (stored) status.failure = stored;
    if (local) {
      status.error = local.error;
      status.failedPosition = local.position;
    } else if (failedElsewhere) {
      status.error = Object.assign(new Error(stored.message), { name: 'ProjectionFailure', code: stored.code });
      status.failedPosition = stored.position;
    } else if (this.current === 'retrying' && this.lastError) {
      status.error = this.lastError;
    }
    return status;
  }

  /** Replays `$all` from the origin into a reset read model; `follow`: go on following `$all` afterwards. */
  async rebuild(options: ResolvedRebuildOptions, follow: boolean): Promise<RebuildResult> {
    if (this.job) throw new ProjectionBusyError(this.name, 'a rebuild of it is already running in this runner');
    const job = new RebuildJob(this.name, options.onProgress);
    this.job = job;
    this.clearFailure();
    if (follow) this.following = true;
    try {
      await this.ensureOwnership();
      const term = await this.ownedTerm(job, options.ownershipTimeoutMs);
      term.paused = true;
      if (term.retryTimer) clearTimeout(term.retryTimer);
      term.retryTimer = undefined;
      await Promise.allSettled([...this.inFlight]);
      if (term !== this.term) throw new RebuildInterruptedError(this.name, 'the ownership was lost');
      this.setState('rebuilding');
      await this.reset(term);
      const [total, target] = await Promise.all([this.deps.eventsAfter(0), this.deps.lastPosition()]);
      job.begin(total, target);
      term.paused = false;
      term.more = true;
      this.kick(term);
      return await job.promise;
    } finally {
      if (this.job === job) this.job = undefined;
      await this.afterRebuild();
    }
  }

  // ---- ownership

  private async ensureOwnership(): Promise<void> {
    // A new claim never overlaps the release of the previous one (they share the lock key).
    while (this.releasing) await this.releasing;
    if (this.ownership) return;
    // Callbacks of an ownership we let go of are ignored.
    const ownership: Ownership = this.deps.subscriptions.ownership(
      { streamId: ALL_STREAM, name: this.definition.subscriptionName, startFrom: startCheckpoint(this.definition.options.startFrom) },
      this.deps.settings.takeoverIntervalMs,
      termListener({
        hasTerm: () => this.term !== undefined,
        begin: (claim) => this.acquired(claim),
        endTerm: () => this.endTerm(),
        deleted: () => this.deleted(),
        setState: (state) => this.setState(state),
        report: (error) => this.report(error),
        afterLost: (error) => this.job?.fail(new RebuildInterruptedError(this.name, 'the ownership was lost', { cause: error })),
        attemptFailed: (error) => {
          this.lastError = error;
        },
      }, () => ownership === this.ownership),
    );
    this.ownership = ownership;
    try {
      await ownership.start();
    } catch (error) {
      if (this.ownership === ownership) this.ownership = undefined;
      await ownership.stop().catch(() => undefined);
      throw error;
    }
  }

  private acquired(claim: Claim): void {
    const term = new Term(claim);
    this.term = term;
    if (this.job && !this.job.started) {
      // The rebuild resets first.
      term.paused = true;
      this.termBegan?.();
      return;
    }
    this.setState('catching-up');
    this.kick(term);
  }

  /** The subscription row was deleted (`store.deleteSubscription`): the projection stops here. */
  private deleted(): void {
    this.endTerm();
    this.ownership = undefined;
    this.following = false;
    const error = new SubscriptionNotFoundError(ALL_STREAM, this.definition.subscriptionName);
    this.setState('stopped');
    this.report(error);
    this.job?.fail(new RebuildInterruptedError(this.name, 'its subscription row was deleted', { cause: error }));
  }

  /** A term whose claim is current, waiting up to `timeoutMs` for the ownership. */
  private async ownedTerm(job: RebuildJob, timeoutMs: number): Promise<Term> {
    if (this.term) return this.term;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<Term>((resolve, reject) => {
          this.termBegan = () => resolve(this.term!);
          timer = setTimeout(() => {
            this.ownerDescription().then((owner) => reject(new ProjectionBusyError(this.name,
              `${owner} runs it; stop it there, or rebuild it from that process (waited ${timeoutMs} ms)`)), reject);
          }, timeoutMs);
        }),
        job.promise.then(() => Promise.reject(new RebuildInterruptedError(this.name, 'it ended before it began'))),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
      this.termBegan = undefined;
    }
  }

  private async ownerDescription(): Promise<string> {
    const row = await this.deps.statusRow(this.definition).catch(() => undefined);
    return row?.owner ? `another process (${row.owner})` : 'another process';
  }

  private endTerm(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    if (term.retryTimer) clearTimeout(term.retryTimer);
    term.retryTimer = undefined;
  }

  /**
   * Ends the term, waits for batches in flight, runs `beforeStop` (still
   * the owner), and lets go of the ownership.
   */
  private release(beforeStop?: () => Promise<void>): Promise<void> {
    this.endTerm();
    const ownership = this.ownership;
    this.ownership = undefined;
    const releasing = (async () => {
      await this.releasing;
      await Promise.allSettled([...this.inFlight]);
      await beforeStop?.();
      await ownership?.stop().catch(() => undefined);
    })();
    this.releasing = releasing;
    void releasing.finally(() => {
      if (this.releasing === releasing) this.releasing = undefined;
    });
    return releasing;
  }

  // ---- the batch loop

  private kick(term: Term): void {
    if (term.looping || term.paused || term.retryTimer || term !== this.term) return;
    term.looping = true;
    const loop = this.loop(term)
      .catch((error: unknown) => {
        term.more = false;
        this.report(asError(error));
      })
      .finally(() => {
        term.looping = false;
        this.inFlight.delete(loop);
        // A wake-up that came while the loop was deciding to end.
        if (term.more) this.kick(term);
      });
    this.inFlight.add(loop);
  }

  private async loop(term: Term): Promise<void> {
    const { batchSize } = this.definition.options;
    while (term === this.term && term.more && !term.paused && !term.retryTimer) {
      // An owner whose lease ran out must not apply more; the lock connection says it lost.
      if (!this.deps.subscriptions.locks.leaseHeld()) return this.pause(term, this.deps.settings.takeoverIntervalMs);
      term.more = false;
      let page: Page;
      try {
        page = await this.deps.pages.read(term.cursor, batchSize, this.filter);
      } catch (error) {
        if (term === this.term) this.retryLater(term, error as Error);
        return;
      }
      if (term !== this.term) return;
      if (term.paused) {
        term.more = true;
        return;
      }
      if (page.full) {
        term.more = true;
        // Read on while this batch commits.
        this.deps.pages.prefetch(page.scannedTo, batchSize, this.filter);
      }
      if (page.scannedTo <= term.cursor) continue;
      // What the filter passed over moves the checkpoint too, so a restart does not read it again.
      const batch = page.events.length > 0 ? this.failures.select(page.events) : page.events;
      if (batch.length < page.events.length) term.more = true;
      const to = batch.length < page.events.length ? batch[batch.length - 1].position : page.scannedTo;
      if (!this.job?.started) this.setState('catching-up');
      try {
        await traceProjectionBatch(this.definition.name, batch, () => this.deps.committer.commit(this.definition, term.claim, term.cursor, batch, to));
      } catch (error) {
        if (term === this.term) await this.batchFailed(term, batch, error);
        return;
      }
      if (term !== this.term) return;
      // Progress counts the positions passed, matches or not (the rebuild's total is all of `$all`).
      const passed = to - term.cursor;
      term.cursor = to;
      this.deps.checkpointMoved(this.name, term.cursor);
      this.passedStoredFailure(term);
      this.failures.committed(term.cursor);
      if (this.failures.attempts === 0) this.backoff.reset();
      const job = this.job;
      if (job?.started) {
        job.progress(passed, term.cursor);
        if (term.cursor >= job.target) job.finish(term.cursor);
      }
    }
    if (term === this.term && !term.more && !term.paused && !term.retryTimer) this.caughtUp(term);
  }

  private caughtUp(term: Term): void {
    this.passedStoredFailure(term);
    if (this.job?.started) this.job.finish(term.cursor);
    if (this.following) this.setState('live');
  }

  private async batchFailed(term: Term, batch: readonly RecordedEvent[], error: unknown): Promise<void> {
    if (error instanceof CheckpointConflict) {
      // The rollback is done; `lost` follows at once and reports it.
      this.ownership?.deposed(error);
      return;
    }
    const cause = error instanceof BatchFailure ? error.cause : error;
    if (isConnectionError(error)) return this.retryLater(term, asError(cause));
    const position = error instanceof BatchFailure ? error.position : undefined;
    if (this.failures.failed(batch, cause, position)) {
      if (this.definition.options.poisonEvents === 'stop') return this.giveUp(term, cause);
      if (position !== undefined && batch[0].position === position) return this.park(term, batch[0], cause);
    }
    this.retryLater(term, new ProjectionHandlerError(this.name, cause, position, this.failures.attempts));
  }

  /** Sets the failing event aside and moves the checkpoint past it, in one transaction; then carries on. */
  private async park(term: Term, event: RecordedEvent, cause: unknown): Promise<void> {
    const attempts = this.failures.attempts;
    try {
      await this.deps.committer.park(this.definition, term.claim, term.cursor, event, parkedFailureOf(cause, attempts));
    } catch (error) {
      if (term !== this.term) return;
      if (error instanceof CheckpointConflict) return this.batchFailed(term, [event], error);
      // Neither the row nor the checkpoint was written: the event is tried (and parked) again.
      return this.retryLater(term, asError(error));
    }
    if (term !== this.term) return;
    term.cursor = event.position;
    this.deps.checkpointMoved(this.name, term.cursor);
    this.passedStoredFailure(term);
    this.failures.committed(term.cursor);
    this.backoff.reset();
    this.report(new ProjectionEventParkedError(this.name, cause, event.position, attempts));
    const job = this.job;
    if (job?.started) {
      job.progress(1, term.cursor);
      if (term.cursor >= job.target) job.finish(term.cursor);
    }
    // The loop that parked goes on once it returns.
    term.more = true;
  }

  private retryLater(term: Term, error: Error): void {
    this.lastError = error;
    this.report(error);
    this.setState('retrying');
    this.pause(term, this.backoff.delay(), () => this.setState(this.job?.started ? 'rebuilding' : 'catching-up'));
  }

  /** No batch for `ms`; then the loop reads again. */
  private pause(term: Term, ms: number, resume?: () => void): void {
    term.more = true;
    if (term.retryTimer) return;
    term.retryTimer = setTimeout(() => {
      term.retryTimer = undefined;
      if (term !== this.term) return;
      resume?.();
      this.kick(term);
    }, ms);
    // A rebuild keeps the process alive while it waits; a live projection does not.
    if (!this.job) term.retryTimer.unref();
  }

  private giveUp(term: Term, cause: unknown): void {
    const position = this.failures.position!;
    const error = new ProjectionFailedError(this.name, cause, position, this.failures.attempts);
    const failure: NonNullable<ProjectionWorker['failedWith']> = { error: asError(cause), position, failedAt: new Date(), recorded: false };
    this.failedWith = failure;
    this.following = false;
    const job = this.job;
    // Stored with the row while still the owner, so that every process's status shows it.
    const record = () => this.deps.subscriptions.rows.recordFailure(term.claim, failureOf(failure.error, position, failure.failedAt))
      .then((recorded) => {
        failure.recorded = recorded;
      }, (recordError: unknown) => this.report(asError(recordError)));
    // It lets go first (another process, perhaps with fixed code, may take it over), then says so.
    void this.release(record).then(() => {
      if (this.failedWith !== failure) return; // started or rebuilt again meanwhile
      this.setState('failed');
      this.report(error);
      job?.fail(error);
    });
  }

  /** A committed batch (or the end of `$all`) after a stored failure: the failure is over for every process. */
  private passedStoredFailure(term: Term): void {
    if (!term.failureStored) return;
    term.failureStored = false;
    this.deps.subscriptions.rows.clearFailure(term.claim).catch((error: unknown) => {
      term.failureStored = true;
      this.report(asError(error));
    });
  }

  // ---- rebuild

  private async reset(term: Term): Promise<void> {
    try {
      await this.deps.committer.reset(this.definition, term.claim, term.cursor);
    } catch (error) {
      if (error instanceof CheckpointConflict) {
        this.ownership?.deposed(error);
        throw new RebuildInterruptedError(this.name, 'another owner took over', { cause: error });
      }
      const cause = error instanceof BatchFailure ? error.cause : error;
      throw new ProjectionHandlerError(this.name, cause, undefined, 1);
    }
    term.cursor = 0;
  }

  private async afterRebuild(): Promise<void> {
    const term = this.term;
    if (!this.following) {
      await this.release();
      if (this.current !== 'failed') this.setState('stopped');
      return;
    }
    if (term && term.paused) {
      term.paused = false;
      term.more = true;
      this.kick(term);
    }
  }

  // ---- reporting

  private clearFailure(): void {
    this.failedWith = undefined;
    this.lastError = undefined;
    this.failures.reset();
    this.backoff.reset();
    if (this.current === 'failed') this.current = 'stopped';
  }

  private setState(state: ProjectionState): void {
    // `failed` stays until the projection is started or rebuilt again.
    if (this.current === state || this.current === 'failed') return;
    this.current = state;
    this.deps.stateChanged(this.name, state);
  }

  private report(error: Error): void {
    this.deps.report(error, this.name);
  }
}

/** The failure stored with the row, if any. */
function storedFailure(row: StatusRow | undefined): ProjectionFailure | undefined {
  if (!row?.failed_at) return undefined;
  return { message: row.failure_message ?? '', code: row.failure_code, position: row.failed_position ?? 0, failedAt: row.failed_at };
}

function failureOf(error: Error, position: number, failedAt: Date): ProjectionFailure {
  const code = (error as { code?: unknown }).code;
  return { message: error.message, code: typeof code === 'string' ? code : null, position, failedAt };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
