/**
 * A persistent subscription: delivers the events of `$all` or of one stream
 * to one handler, in ordered batches, at least once, in one process at a
 * time, and resumes after the last acknowledged event.
 *
 * The invariants it keeps:
 * 1. Only the owner delivers. A term begins when Ownership grants a claim
 *    (advisory lock held, epoch incremented) and ends the moment the claim is
 *    lost (lock connection gone, a newer epoch seen) or the subscription
 *    stops. Everything a term knows (cursor, queue, in-flight events, acks,
 *    checkpointer) lives in its `Term` and is dropped whole with it; every
 *    asynchronous continuation (a read, a handler's promise, a timer) checks
 *    that its term is still the current one before it touches anything. A
 *    new term starts from the checkpoint stored in the row, so whatever was
 *    not acknowledged is delivered again.
 * 2. The store is the truth; notifications are hints. The cursor is the
 *    number of the last event read, and every read asks the store for the
 *    events after it. A wake-up only sets `more`, which is cleared before a
 *    read starts, so a wake-up during a read causes one more read. Catching
 *    up and live delivery are the same loop: the hand-over has no gap and no
 *    repeat, and a lost notification costs latency, never an event.
 * 3. Order: events enter the queue in number order; the dispatcher hands a
 *    partition's events out in order, one handler call per partition at a
 *    time; a failed batch's unacknowledged events go back in front of their
 *    successors and are retried after a backoff.
 * 4. The checkpoint moves only over events that are done with (acknowledged,
 *    dropped by the selector, or gaps), never past one queued or in flight.
 *    It is written only with the term's epoch (compare-and-set), so a
 *    deposed owner can never move it, and writing it never changes what is
 *    read or delivered.
 * 5. Bounded memory: a read happens only when the queue is empty (one page
 *    held at most); at most `bufferSize` unacknowledged events are in flight.
 *    A handler that holds a full buffer without acknowledging for
 *    `stallTimeoutMs` is reported (`SubscriptionStalledError`, state
 *    `stalled`) rather than left waiting silently; `autoAck` acknowledges
 *    each batch when its handler call returns.
 * 6. Never silent: every failure is reported (`onError`, the `error` event,
 *    else the logger) and shows in `state`; failed batches and reads are
 *    retried with backoff, failed checkpoint writes retried, lost ownership
 *    retried every `takeoverIntervalMs`. Only `unsubscribe`,
 *    `deleteSubscription` and a deleted stream end it (`stopped`).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '@mikro-orm/core';
import {
  OwnershipLostError,
  StreamDeletedError,
  SubscriptionHandlerError,
  SubscriptionNotFoundError,
  SubscriptionStalledError,
  UnexpectedAckError,
} from '../errors';
import type { RecordedEvent } from '../types';
import { ackedEventNumber } from './ack-target';
import { AckTracker } from './ack-tracker';
import type { AdvisoryLocks } from './advisory-locks';
import { Backoff } from './backoff';
import type { CheckpointBatcher } from './checkpoint-batcher';
import { Checkpointer } from './checkpointer';
import { Batch, Dispatcher, Queued, requeue } from './dispatcher';
import type { EventSource } from './event-source';
import { traceDelivery } from '../telemetry';
import { notifyState, reportError } from './report-error';
import { StallWatch } from './stall-watch';
import { Ownership } from './ownership';
import { startCheckpoint, termListener } from './owned-term';
import type { Claim, SubscriptionRows } from './subscription-rows';
import type {
  AckTarget,
  ResolvedPersistentOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionHandler,
  SubscriptionState,
} from './subscription-options';
import type { Wakeable, WakeHub } from './wake-hub';

export interface PersistentSubscriptionDeps {
  source: EventSource;
  wakeHub: WakeHub;
  rows: SubscriptionRows;
  checkpoints: CheckpointBatcher;
  locks: AdvisoryLocks;
  /** Who we are in the row's `owner` column. */
  ownerTag: string;
  logger: Logger;
  /** Called once the subscription has stopped. */
  stopped: (subscription: PersistentSubscription<any>) => void;
}

/** Everything one ownership term knows; dropped whole when the term ends. */
class Term {
  /** The number of the last event read. */
  cursor: number;
  readonly queue: Queued[] = [];
  /** A read may find something: set by wake-ups and by full pages, cleared when a read starts. */
  more = true;
  reading = false;
  /** The last read reached the end. */
  live = false;
  retrying = false;
  retryTimer?: NodeJS.Timeout;
  pumpScheduled = false;
  readonly tracker: AckTracker;
  readonly dispatcher: Dispatcher;
  checkpointer!: Checkpointer;
  stall!: StallWatch;

  constructor(readonly claim: Claim, bufferSize: number, concurrencyLimit: number) {
    this.cursor = claim.lastSeen;
    this.tracker = new AckTracker(claim.lastSeen);
    this.dispatcher = new Dispatcher(bufferSize, concurrencyLimit);
  }
}

export class PersistentSubscription<T = RecordedEvent>
  extends EventEmitter<SubscriptionEvents>
  implements Subscription<T>, Wakeable
{
  readonly streamId: string;
  private current: SubscriptionState = 'starting';
  private term?: Term;
  private readonly ownership: Ownership;
  private readonly backoff: Backoff;
  /** Mapped objects -> the number of the event they were made from, so that they can be acknowledged. */
  private readonly mapped = new WeakMap<object, number>();
  /** What each term handed to the handler, so that a late ack from an earlier term never reaches a later one. */
  private readonly deliveredIn = new WeakMap<object, Term>();
  private stopping?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly handler: SubscriptionHandler<T>,
    private readonly options: ResolvedPersistentOptions<T>,
    private readonly deps: PersistentSubscriptionDeps,
  ) {
    super();
    this.streamId = deps.source.streamId;
    this.backoff = new Backoff(options.retryDelayMs, options.maxRetryDelayMs);
    this.ownership = new Ownership(deps.rows, deps.locks, deps.ownerTag,
      { streamId: this.streamId, name, startFrom: startCheckpoint(options.startFrom) }, options.takeoverIntervalMs,
      termListener({
        hasTerm: () => this.term !== undefined,
        begin: (claim) => this.acquired(claim),
        endTerm: () => void this.endTerm(),
        deleted: () => void this.finish(new SubscriptionNotFoundError(this.streamId, this.name)),
        setState: (state) => this.setState(state),
        report: (error) => this.report(error),
      }));
  }

  get state(): SubscriptionState {
    return this.current;
  }

  /** Registers for wake-ups, creates the row if needed and makes the first ownership attempt. */
  async start(): Promise<void> {
    notifyState(this, this.current, this.options.onState as ((state: SubscriptionState, subscription: this) => void) | undefined);
    if (this.deps.source.isAll) this.deps.wakeHub.addAll(this);
    else this.deps.wakeHub.addStream(this.streamId, this);
    try {
      await this.ownership.start();
    } catch (error) {
      this.deps.wakeHub.remove(this);
      this.setState('stopped');
      await this.ownership.stop().catch(() => undefined);
      throw error;
    }
  }

  async ack(events: AckTarget<T>): Promise<void> {
    const n = ackedEventNumber(events, this.mapped);
    const term = this.term;
    // Not the owner (any more), or events of an earlier term: what was not
    // acknowledged in its own term comes again.
    if (!term || (this.deliveredIn.get(lastOf(events)) ?? term) !== term) return;
    const written = this.acknowledge(term, n);
    if (!written) throw new UnexpectedAckError(this.name, n);
    await written;
  }

  /** Acknowledges `n` (and the earlier in-flight events of its partition); undefined when `n` is not in flight. */
  private acknowledge(term: Term, n: number): Promise<void> | undefined {
    const acked = term.dispatcher.ack(n);
    if (!acked) return undefined;
    for (const number of acked) term.tracker.ack(number);
    this.watchStall(term, true);
    this.schedulePump(term);
    return term.checkpointer.acknowledged(term.tracker.checkpoint, acked.length);
  }

  unsubscribe(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  // ---- wake-ups

  wake(position?: number): void {
    const term = this.term;
    if (!term) return;
    if (position !== undefined && this.deps.source.isAll && position <= term.cursor) return;
    term.more = true;
    this.schedulePump(term);
  }

  // ---- ownership (the other news of it: owned-term.ts)

  private acquired(claim: Claim): void {
    if (this.stopping) return;
    const term = new Term(claim, this.options.bufferSize, this.options.concurrencyLimit);
    term.checkpointer = new Checkpointer(claim.lastSeen, {
      threshold: this.options.checkpointThreshold,
      afterMs: this.options.checkpointAfterMs,
      write: (position) => this.writeCheckpoint(term, position),
      onError: (error) => this.report(error),
      retryDelayMs: () => this.backoff.delay(),
    });
    term.stall = new StallWatch(this.options.stallTimeoutMs, () => this.stalled(term));
    this.term = term;
    this.setState('catching-up');
    this.schedulePump(term);
  }

  // ---- delivery

  private schedulePump(term: Term): void {
    if (term.pumpScheduled) return;
    term.pumpScheduled = true;
    queueMicrotask(() => {
      term.pumpScheduled = false;
      this.pump(term);
    });
  }

  private pump(term: Term): void {
    if (term !== this.term || term.retrying) return;
    // An owner whose lease ran out (a frozen process, a quiet lock connection) must not hand out more.
    if (!this.deps.locks.leaseHeld()) return;
    for (const batch of term.dispatcher.take(term.queue)) this.deliver(term, batch);
    this.watchStall(term, false);
    if (!term.reading && term.more && term.queue.length === 0) void this.read(term);
  }

  private async read(term: Term): Promise<void> {
    term.reading = true;
    term.more = false;
    let page;
    try {
      page = await this.deps.source.read(term.cursor, this.options.readBatchSize);
    } catch (error) {
      term.reading = false;
      if (term !== this.term) return;
      if (error instanceof StreamDeletedError) return this.finish(error);
      term.more = true;
      return this.retry(term, error as Error);
    }
    term.reading = false;
    if (term !== this.term) return;
    if (page.full) term.more = true;
    if (page.unsequenced) this.deps.wakeHub.wakeOnNextPosition(this);
    try {
      this.accept(term, page.events, page.scannedTo);
    } catch (error) {
      // The selector or partitionBy threw: the page is not taken; read it again later.
      term.more = true;
      return this.retry(term, new SubscriptionHandlerError(this.streamId, this.name, error));
    }
    term.live = !page.full;
    this.setState(this.deliveringState(term));
    this.pump(term);
  }

  /**
   * Queues a page's events for the handler; those the selector drops are
   * done with at once, and so is what a filter skipped (up to `scannedTo`).
   */
  private accept(term: Term, events: RecordedEvent[], scannedTo?: number): void {
    const skipped = scannedTo !== undefined && scannedTo > term.cursor;
    if (events.length === 0) {
      if (!skipped) return;
      const passed = scannedTo - term.cursor;
      term.tracker.read([], scannedTo);
      term.cursor = scannedTo;
      void term.checkpointer.acknowledged(term.tracker.checkpoint, passed);
      return;
    }
    const { selector, partitionBy } = this.options;
    const kept: Queued[] = [];
    for (const event of events) {
      if (selector && !selector(event)) continue;
      kept.push({ event, key: partitionBy ? partitionBy(event) : undefined });
    }
    const last = Math.max(events[events.length - 1].eventNumber, skipped ? scannedTo : 0);
    // Positions a filter passed over count as dropped events.
    const dropped = skipped ? last - term.cursor - kept.length : events.length - kept.length;
    term.queue.push(...kept);
    term.tracker.read(kept.map(({ event }) => event.eventNumber), last);
    term.cursor = last;
    if (dropped > 0) void term.checkpointer.acknowledged(term.tracker.checkpoint, dropped);
  }

  private deliver(term: Term, batch: Batch): void {
    let result: unknown;
    try {
      result = traceDelivery(this.name, this.streamId, batch.entries.map(({ event }) => event), () => this.handler(batch.entries.map(({ event }) => this.map(term, event)), this));
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      () => {
        if (term !== this.term) return;
        term.dispatcher.finished(batch);
        this.backoff.reset();
        // What the handler did not acknowledge itself: the batch's last event covers it (one partition).
        if (this.options.autoAck) void this.acknowledge(term, batch.entries[batch.entries.length - 1].event.eventNumber);
        this.pump(term);
      },
      (error: unknown) => {
        if (term !== this.term) return;
        const back = term.dispatcher.withdraw(batch);
        term.queue.splice(0, term.queue.length, ...requeue(term.queue, back));
        this.watchStall(term, false);
        this.retry(term, new SubscriptionHandlerError(this.streamId, this.name, error));
      },
    );
  }

  private map(term: Term, event: RecordedEvent): T {
    if (!this.options.mapper) {
      this.deliveredIn.set(event, term);
      return event as T;
    }
    const mapped = this.options.mapper(event);
    if (mapped !== null && typeof mapped === 'object') {
      this.mapped.set(mapped, event.eventNumber);
      this.deliveredIn.set(mapped, term);
    }
    return mapped;
  }

  /** Pauses delivery for the next backoff delay, then resumes. */
  private retry(term: Term, error: Error): void {
    this.report(error);
    if (term.retrying) return;
    term.retrying = true;
    this.setState('retrying');
    term.retryTimer = setTimeout(() => {
      term.retryTimer = undefined;
      term.retrying = false;
      if (term !== this.term) return;
      this.setState(this.deliveringState(term));
      this.pump(term);
    }, this.backoff.delay());
    term.retryTimer.unref();
  }

  private async writeCheckpoint(term: Term, position: number): Promise<void> {
    if (await this.deps.checkpoints.write(term.claim, position)) return;
    if (term !== this.term) return;
    // Refused: the row is gone, or a newer owner fenced us off.
    if (!(await this.deps.rows.exists(term.claim.id, this.streamId, this.name))) {
      // Not awaited: stopping waits for this write's chain to end.
      void this.finish(new SubscriptionNotFoundError(this.streamId, this.name));
      return;
    }
    if (term !== this.term) return;
    this.ownership.deposed(new OwnershipLostError(`subscription ${JSON.stringify(this.name)}: another owner took over (epoch ${term.claim.epoch} is stale)`));
  }

  // ---- stalls

  /** The state of an owner that delivers: `stalled` while the handler sits on a full buffer. */
  private deliveringState(term: Term): SubscriptionState {
    if (term.stall.stalled) return 'stalled';
    return term.live ? 'live' : 'catching-up';
  }

  private watchStall(term: Term, acked: boolean): void {
    const full = term.dispatcher.inFlightCount >= this.options.bufferSize;
    if (term.stall.update(full, acked) && !term.retrying && term === this.term) this.setState(this.deliveringState(term));
  }

  private stalled(term: Term): void {
    if (term !== this.term) return;
    this.setState('stalled');
    this.report(new SubscriptionStalledError(this.streamId, this.name, term.dispatcher.oldestInFlight() ?? term.tracker.checkpoint + 1,
      term.dispatcher.inFlightCount, this.options.stallTimeoutMs));
  }

  // ---- ending

  /** Ends the current term: nothing of it is delivered or acknowledged any more. */
  private endTerm(options: { quiet: boolean } = { quiet: true }): Promise<void> {
    const term = this.term;
    if (!term) return Promise.resolve();
    this.term = undefined;
    if (term.retryTimer) clearTimeout(term.retryTimer);
    term.stall.stop();
    // What was acknowledged is still true: try to keep it (refused if somebody took over meanwhile).
    return term.checkpointer.close(options);
  }

  private async stop(): Promise<void> {
    this.deps.wakeHub.remove(this);
    const ended = this.endTerm({ quiet: false });
    this.setState('stopped');
    await ended;
    await this.ownership.stop();
    this.deps.stopped(this);
  }

  private async finish(error: Error): Promise<void> {
    if (this.stopping) return;
    this.report(error);
    await this.unsubscribe();
  }

  private setState(state: SubscriptionState): void {
    if (this.current === state || this.current === 'stopped') return;
    this.current = state;
    notifyState(this, state, this.options.onState as ((state: SubscriptionState, subscription: this) => void) | undefined);
  }

  private report(error: Error): void {
    reportError(this, error, this.options.onError as ((error: Error, subscription: this) => void) | undefined, this.deps.logger, `subscription ${JSON.stringify(this.name)} to ${this.streamId}`);
  }
}

const NOT_AN_OBJECT = {};

/** The object an ack refers to (a batch's last event), as a key of `deliveredIn`. */
function lastOf(target: unknown): object {
  const value = Array.isArray(target) ? target[target.length - 1] : target;
  return value !== null && typeof value === 'object' ? value : NOT_AN_OBJECT;
}
