/**
 * Follows `$all` or one stream: first what is stored from a starting event
 * number (the history), then what is committed afterwards (live), with
 * neither a gap nor a repeat where the two meet.
 *
 * The transient subscription is made first and its batches are buffered
 * while the history is read. The subscription delivers every event after
 * the end it saw when it started; the history is read after that, up to
 * the end it finds then (or up to the first buffered event), so the two
 * overlap rather than leave a gap. The overlap is dropped by event number
 * (a position in `$all`, a version in a stream), which both sides number
 * alike: an event is handled only if its number is above the last handled.
 */
import { StreamDeletedError, StreamNotFoundError } from '../errors';
import type { ReadAllOptions, ReadFilter, RecordedEvent, StreamInfo } from '../types';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from './subscription-options';
import { ALL_STREAM } from '../protocol';

/** Events read per history query. */
const HISTORY_PAGE = 1000;
/**
 * A stream's history can hold an event committed a moment ago inside an
 * application's transaction, whose `$all` position the sequencer gives
 * right after: read it again after this pause.
 */
const SEQUENCING_PAUSE_MS = 50;

/** What following uses of the event store (an `EventStore` is one). */
export interface FollowedStore {
  subscribe(streamIdOrAll: string, handler: SubscriptionHandler<RecordedEvent>, options?: SubscribeOptions<RecordedEvent>): Promise<Subscription<RecordedEvent>>;
  readAllForward(startPosition?: number, count?: number, options?: ReadAllOptions): Promise<RecordedEvent[]>;
  readStreamForward(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent[]>;
  streamInfo(streamId: string): Promise<StreamInfo>;
}

export interface FollowOptions {
  /** `$all` or a stream id. */
  streamId: string;
  /** The first event number to show (0 or 1: the beginning); undefined: only events committed from now on. */
  from?: number;
  /** `$all` only: reads only the matching events, chosen in the database. */
  filter?: ReadFilter;
  /** Shows only the events it returns true for (the others still count as passed). */
  selector?: (event: RecordedEvent) => boolean;
  /** Stops after showing this many events. */
  limit?: number;
  /** Stops following when aborted. */
  signal: AbortSignal;
  /** The history is shown: from here on events are shown as they are committed. */
  onLive?: (lastEventNumber: number) => void;
  /** A failure the subscription recovers from by itself (a read that will be retried). */
  onWarning?: (error: Error) => void;
}

/**
 * Shows the events in order until the limit is reached or the signal
 * aborts; rejects when following cannot go on (the stream was deleted, a
 * history read failed).
 */
export function followEvents(store: FollowedStore, options: FollowOptions, show: (event: RecordedEvent) => void): Promise<void> {
  return new EventFollower(store, options, show).run();
}

class EventFollower {
  /** The highest event number handled (shown, or passed by the selector). */
  private handled = 0;
  private shown = 0;
  /** Live batches that arrived while the history was read; undefined once live. */
  private buffered: RecordedEvent[] | undefined = [];
  private done = false;
  /** The last failure the subscription reported, for when it stops on its own. */
  private lastError?: Error;
  private finish!: (error?: Error) => void;
  private readonly finished = new Promise<void>((resolve, reject) => {
    this.finish = (error) => {
      if (this.done) return;
      this.done = true;
      if (error) reject(error);
      else resolve();
    };
  });

  constructor(
    private readonly store: FollowedStore,
    private readonly options: FollowOptions,
    private readonly show: (event: RecordedEvent) => void,
  ) {
    // Awaited at the end of run(); a failure reported before then is not "unhandled".
    this.finished.catch(() => undefined);
  }

  async run(): Promise<void> {
    const { signal, streamId } = this.options;
    if (signal.aborted) return;
    const stop = () => this.finish();
    signal.addEventListener('abort', stop, { once: true });
    let subscription: Subscription | undefined;
    try {
      subscription = await this.store.subscribe(streamId, (events) => this.receive(events), {
        filter: this.options.filter,
        onError: (error) => this.subscriptionFailed(error),
      });
      subscription.on('state', (state) => {
        if (state === 'stopped') this.finish(this.lastError ?? new Error(`stopped following ${streamId}`));
      });
      try {
        await this.catchUp();
      } catch (error) {
        this.finish(error as Error);
      }
      if (!this.done) this.goLive();
      await this.finished;
    } finally {
      signal.removeEventListener('abort', stop);
      this.done = true;
      await subscription?.unsubscribe();
    }
  }

  private receive(events: RecordedEvent[]): void {
    if (this.buffered) this.buffered.push(...events);
    else this.accept(events);
  }

  /** Shows the history from `from`, until it meets the live events or the end. */
  private async catchUp(): Promise<void> {
    const { streamId, from } = this.options;
    if (from === undefined) {
      // Only new events: everything up to the end as it stands now is passed.
      this.handled = await this.currentEnd(streamId);
      return;
    }
    this.handled = Math.max(from, 1) - 1;
    while (!this.done) {
      const firstLive = this.buffered?.[0]?.eventNumber;
      if (firstLive !== undefined && this.handled + 1 >= firstLive) return;
      const page = await this.readHistory(streamId, this.handled + 1);
      const unsequenced = page.findIndex((event) => event.position === 0);
      this.accept(unsequenced < 0 ? page : page.slice(0, unsequenced));
      if (unsequenced >= 0) await pause(SEQUENCING_PAUSE_MS);
      else if (page.length < HISTORY_PAGE) return;
    }
  }

  private goLive(): void {
    const buffered = this.buffered ?? [];
    this.buffered = undefined;
    this.accept(buffered);
    if (!this.done) this.options.onLive?.(this.handled);
  }

  private accept(events: readonly RecordedEvent[]): void {
    const { selector, limit } = this.options;
    for (const event of events) {
      if (this.done) return;
      if (event.eventNumber <= this.handled) continue;
      this.handled = event.eventNumber;
      if (selector && !selector(event)) continue;
      this.show(event);
      if (++this.shown === limit) this.finish();
    }
  }

  private subscriptionFailed(error: Error): void {
    this.lastError = error;
    // A deleted stream stops the subscription (and so this follower); other failures are retried.
    if (!(error instanceof StreamDeletedError)) this.options.onWarning?.(error);
  }

  private async currentEnd(streamId: string): Promise<number> {
    try {
      return (await this.store.streamInfo(streamId)).streamVersion;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0;
      throw error;
    }
  }

  private async readHistory(streamId: string, start: number): Promise<RecordedEvent[]> {
    if (streamId === ALL_STREAM) return this.store.readAllForward(start, HISTORY_PAGE, { filter: this.options.filter });
    try {
      return await this.store.readStreamForward(streamId, start, HISTORY_PAGE);
    } catch (error) {
      // A stream that does not exist yet has no history; it may still come.
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
