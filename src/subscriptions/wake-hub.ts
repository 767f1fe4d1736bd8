/**
 * Turns the store's notifications into wake-ups of the subscriptions that
 * may have something new. A wake-up is only a hint: whoever wakes reads the
 * store, which is the truth, from its own cursor.
 *
 * - A sweep notification carries the new last `$all` position N: every
 *   `$all` subscription is woken with N (it skips the read when its cursor
 *   is already there). Stream subscriptions are woken only when their
 *   stream got positions in (last N handled, N]: one indexed query per
 *   notification for the whole process, never one per subscription.
 * - 'l' (a link) wakes every stream subscription: links have no position.
 * - A (re)connection of the LISTEN client wakes everyone: notifications sent
 *   while it was down are lost.
 * - The poller feeds the last position in the same way, as a fallback.
 */
import type { Logger } from '@mikro-orm/core';
import { NOTIFY_LINK, NOTIFY_WRITE } from '../protocol';

export interface Wakeable {
  /** Something may be new; `position`: the `$all` position known to exist now. */
  wake(position?: number): void;
}

/** Finds which of `streamIds` got `$all` positions in `(after, upTo]`. */
export type StreamsWithNewEvents = (after: number, upTo: number, streamIds: string[]) => Promise<string[]>;

/** Beyond this many new positions, waking every stream subscription is cheaper than asking which. */
const LARGE_RANGE = 100_000;

export class WakeHub {
  private readonly allListeners = new Set<Wakeable>();
  private readonly streamListeners = new Map<string, Set<Wakeable>>();
  /** Stream subscriptions that read an event not numbered yet: woken by the next position, whatever its stream. */
  private readonly awaitingPositions = new Set<Wakeable>();
  /** The highest position announced so far. */
  private highest?: number;
  /** The highest position whose stream subscriptions were woken. */
  private handled?: number;
  private querying = false;

  constructor(
    private readonly streamsWithNewEvents: StreamsWithNewEvents,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.allListeners.size + this.streamListeners.size;
  }

  addAll(listener: Wakeable): void {
    this.allListeners.add(listener);
  }

  addStream(streamId: string, listener: Wakeable): void {
    let set = this.streamListeners.get(streamId);
    if (!set) this.streamListeners.set(streamId, (set = new Set()));
    set.add(listener);
  }

  remove(listener: Wakeable): void {
    this.allListeners.delete(listener);
    this.awaitingPositions.delete(listener);
    for (const [streamId, set] of this.streamListeners) {
      if (set.delete(listener) && set.size === 0) this.streamListeners.delete(streamId);
    }
  }

  /** `listener` read an event of its stream that has no position yet: wake it when positions move. */
  wakeOnNextPosition(listener: Wakeable): void {
    this.awaitingPositions.add(listener);
  }

  /** Where `$all` stood before the first listener registered: later notifications are ranges from there. */
  seed(position: number): void {
    if (this.handled !== undefined) return;
    this.handled = position;
    this.highest = Math.max(this.highest ?? position, position);
  }

  /** A payload on the store's channel. */
  notification(payload: string): void {
    if (payload === NOTIFY_LINK) return this.wakeStreams();
    if (payload === NOTIFY_WRITE) return; // an append inside a caller's transaction: its sweep will tell
    // A sweep's payload: its last position, then (after a space) the waiting appends it numbered.
    const position = Number(payload.split(' ', 1)[0]);
    if (Number.isSafeInteger(position)) this.advance(position);
  }

  /** The LISTEN connection came back: anything may have happened. */
  reconnected(): void {
    for (const listener of this.allListeners) listener.wake();
    this.wakeStreams();
  }

  /** `$all` now reaches `position`. */
  advance(position: number): void {
    if (this.highest !== undefined && position <= this.highest) return;
    this.highest = position;
    for (const listener of this.allListeners) listener.wake(position);
    if (this.awaitingPositions.size > 0) {
      const awaiting = [...this.awaitingPositions];
      this.awaitingPositions.clear();
      for (const listener of awaiting) listener.wake();
    }
    if (this.streamListeners.size === 0) {
      this.handled = position;
      return;
    }
    if (!this.querying) void this.wakeStreamsUpTo();
  }

  private async wakeStreamsUpTo(): Promise<void> {
    this.querying = true;
    try {
      while (this.highest !== undefined && (this.handled === undefined || this.highest > this.handled)) {
        const after = this.handled;
        const upTo = this.highest;
        const streamIds = [...this.streamListeners.keys()];
        if (after === undefined || upTo - after > LARGE_RANGE || streamIds.length === 0) {
          this.wakeStreams();
        } else {
          try {
            for (const streamId of await this.streamsWithNewEvents(after, upTo, streamIds)) this.wakeStream(streamId);
          } catch (error) {
            // Cannot tell which: wake them all; their reads report the trouble.
            this.logger.error('info', `[eventstore] subscription wake-up query failed: ${(error as Error).message}`);
            this.wakeStreams();
          }
        }
        this.handled = upTo;
      }
    } finally {
      this.querying = false;
    }
  }

  private wakeStreams(): void {
    for (const streamId of this.streamListeners.keys()) this.wakeStream(streamId);
  }

  private wakeStream(streamId: string): void {
    for (const listener of this.streamListeners.get(streamId) ?? []) listener.wake();
  }
}
