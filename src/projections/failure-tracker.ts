/**
 * The failures of one projection's batches: how many times in a row it
 * failed at one point, where, and how the next batches are cut so that the
 * failing event is found and everything before it is applied.
 *
 * - A handler that threw names its event p: the retry commits the events
 *   before p in one batch, then tries p alone.
 * - A failure that names no event (the flush of a batch's changes) is
 *   retried event by event up to the batch's last event, which finds it.
 * - Attempts count the failures since the last commit that passed the
 *   failing point; at `maxAttempts` the projection gives up there, with its
 *   checkpoint just before the failing event.
 */
import type { RecordedEvent } from '../types';

interface Failure {
  attempts: number;
  /** The failing event, when known. */
  position?: number;
  /** The first event of the failed batch. */
  first: number;
  /** A commit up to here passes the failing point. */
  until: number;
  error: unknown;
}

export class FailureTracker {
  private failure?: Failure;
  /** The next batch ends before this position. */
  private stopBefore?: number;
  /** Batches of one event while they start at or before this position. */
  private isolateUntil?: number;

  constructor(private readonly maxAttempts: number) {}

  /** Failures in a row at the current failing point (0 when there is none). */
  get attempts(): number {
    return this.failure?.attempts ?? 0;
  }

  get error(): unknown {
    return this.failure?.error;
  }

  /** The failing event's position, or the failed batch's first when unknown. */
  get position(): number | undefined {
    return this.failure ? (this.failure.position ?? this.failure.first) : undefined;
  }

  /** Records a failed batch; true when the projection should give up. */
  failed(batch: readonly RecordedEvent[], error: unknown, position: number | undefined): boolean {
    const first = batch[0].position;
    const last = batch[batch.length - 1].position;
    const attempts = this.attempts + 1;
    this.failure = { attempts, position, first, until: position ?? last, error };
    if (position !== undefined) {
      this.stopBefore = position;
      this.isolateUntil = position;
    } else {
      this.isolateUntil = last;
    }
    return attempts >= this.maxAttempts;
  }

  /** A batch up to `position` committed. */
  committed(position: number): void {
    if (this.failure && position >= this.failure.until) this.failure = undefined;
    if (this.isolateUntil !== undefined && position >= this.isolateUntil) this.isolateUntil = undefined;
  }

  /** The events of `page` (ordered, non-empty) that make the next batch. */
  select(page: readonly RecordedEvent[]): readonly RecordedEvent[] {
    if (this.stopBefore !== undefined) {
      const before = this.stopBefore;
      this.stopBefore = undefined;
      const end = page.findIndex((event) => event.position >= before);
      if (end > 0) return page.slice(0, end);
      if (end < 0) return page;
    }
    if (this.isolateUntil !== undefined && page[0].position <= this.isolateUntil) return page.slice(0, 1);
    return page;
  }

  reset(): void {
    this.failure = undefined;
    this.stopBefore = undefined;
    this.isolateUntil = undefined;
  }
}
