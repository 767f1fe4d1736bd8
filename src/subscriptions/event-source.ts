/**
 * What a subscription reads: `$all` (event numbers are positions) or one
 * stream (event numbers are its versions, links included), always from the
 * store, which is the truth.
 *
 * A stream page stops before the first event that has no `$all` position
 * yet (committed by a caller's transaction a moment ago, numbered by the
 * sequencer right after): subscribers only ever see final positions, and the
 * sequencer's notification brings the rest.
 */
import { StreamDeletedError, StreamNotFoundError } from '../errors';
import type { ResolvedFilter } from '../repositories/read-filter';
import type { FilteredPage, StreamReader } from '../repositories/stream-reader';
import type { RecordedEvent } from '../types';
import { ALL_STREAM } from '../protocol';

export interface SourcePage {
  events: RecordedEvent[];
  /** The read returned all it was asked for: more may follow at once. */
  full: boolean;
  /** The page stopped at an event that has no `$all` position yet. */
  unsequenced: boolean;
  /**
   * Filtered `$all`: every position up to here was looked at (the events
   * are the matches among them), so the reader goes on after it.
   */
  scannedTo?: number;
}

/**
 * Concurrent reads of one page share one query: a notification wakes every
 * subscription of `$all` (or of one stream) at once, and those at the same
 * cursor ask for the same page. The events are then shared: handlers treat
 * them as read-only.
 */
export class SharedReads {
  private readonly inFlight = new Map<string, Promise<RecordedEvent[]>>();
  private readonly filteredInFlight = new Map<string, Promise<FilteredPage>>();

  constructor(private readonly reader: StreamReader) {}

  read(streamId: string, start: number, count: number): Promise<RecordedEvent[]> {
    const key = `${start}:${count}:${streamId}`;
    let read = this.inFlight.get(key);
    if (!read) {
      read = (streamId === ALL_STREAM
        ? this.reader.readAllForward(start, count)
        : this.reader.readStreamForward(streamId, start, count)
      ).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, read);
    }
    return read;
  }

  readFiltered(start: number, count: number, filter: ResolvedFilter): Promise<FilteredPage> {
    const key = `${start}:${count}:${filter.key}`;
    let read = this.filteredInFlight.get(key);
    if (!read) {
      read = this.reader.readAllFiltered(start, count, filter).finally(() => this.filteredInFlight.delete(key));
      this.filteredInFlight.set(key, read);
    }
    return read;
  }
}

export class EventSource {
  constructor(
    private readonly reader: StreamReader,
    private readonly reads: SharedReads,
    readonly streamId: string,
    /** `$all` only. */
    private readonly filter?: ResolvedFilter,
  ) {}

  get isAll(): boolean {
    return this.streamId === ALL_STREAM;
  }

  /** Up to `count` events numbered after `after`. A stream that does not exist (yet) has none. */
  async read(after: number, count: number): Promise<SourcePage> {
    if (this.isAll && this.filter) {
      const page = await this.reads.readFiltered(after + 1, count, this.filter);
      return { events: page.events.slice(), full: page.more, unsequenced: false, scannedTo: page.scannedTo };
    }
    if (this.isAll) {
      const events = (await this.reads.read(ALL_STREAM, after + 1, count)).slice();
      return { events, full: events.length >= count, unsequenced: false };
    }
    let events: RecordedEvent[];
    try {
      events = (await this.reads.read(this.streamId, after + 1, count)).slice();
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { events: [], full: false, unsequenced: false };
      throw error;
    }
    const firstUnsequenced = events.findIndex((event) => event.position === 0);
    if (firstUnsequenced >= 0) return { events: events.slice(0, firstUnsequenced), full: false, unsequenced: true };
    return { events, full: events.length >= count, unsequenced: false };
  }

  /** The number of the last event now (0 when there is none); StreamDeletedError for a soft-deleted stream. */
  async end(): Promise<number> {
    if (this.isAll) return this.reader.lastPosition();
    try {
      const info = await this.reader.streamInfo(this.streamId);
      if (info.deletedAt) throw new StreamDeletedError(this.streamId);
      return info.streamVersion;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0;
      throw error;
    }
  }
}
