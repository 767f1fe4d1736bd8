/**
 * Pages of `$all` shared by a runner's projections: projections at the same
 * checkpoint read one page together, whether they ask at once (one query in
 * flight) or one after another (the last pages are kept).
 *
 * A full page never changes (G1: no event ever appears at a position below
 * one already read), so it is served for as long as it is kept. A short page
 * (the end of `$all`) is served only until the next wake-up: after one, a
 * reader that finished its batch must see the new events, or it would wait
 * for a notification that already came. The pages are shared objects:
 * projections treat the events as read-only.
 */
import type { ResolvedFilter } from '../repositories/read-filter';
import type { FilteredPage } from '../repositories/stream-reader';
import type { RecordedEvent } from '../types';

/** Pages kept for projections that lag behind the first reader. */
const KEPT_PAGES = 4;

/**
 * Events after a position; with a filter, the matches among the positions
 * up to `scannedTo`. `full`: more may follow at once.
 */
export interface Page {
  events: RecordedEvent[];
  scannedTo: number;
  full: boolean;
}

interface Kept {
  page: Page;
  /** The wake-up generation the read started in. */
  generation: number;
}

export interface PageSource {
  readAll(startPosition: number, count: number): Promise<RecordedEvent[]>;
  readFiltered(startPosition: number, count: number, filter: ResolvedFilter): Promise<FilteredPage>;
}

export class PageReader {
  private readonly inFlight = new Map<string, Promise<Page>>();
  private readonly kept = new Map<string, Kept>();
  private generation = 0;

  constructor(private readonly source: PageSource) {}

  /** Up to `count` events after position `after` (matching `filter` when given: projections with one filter share pages). */
  read(after: number, count: number, filter?: ResolvedFilter): Promise<Page> {
    const key = `${after}:${count}:${filter?.key ?? ''}`;
    const kept = this.kept.get(key);
    if (kept && (kept.page.full || kept.generation === this.generation)) return Promise.resolve(kept.page);
    const generation = this.generation;
    // Reads that started before the last wake-up are not joined: they may miss what it announced.
    const flightKey = `${generation}:${key}`;
    let read = this.inFlight.get(flightKey);
    if (!read) {
      read = this.readPage(after, count, filter).then((page) => {
        if (page.scannedTo > after) this.keep(key, { page, generation });
        return page;
      }).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, read);
    }
    return read;
  }

  /** Starts reading the page after `after` without waiting for it (the next batch's, while this one commits). */
  prefetch(after: number, count: number, filter?: ResolvedFilter): void {
    this.read(after, count, filter).catch(() => undefined);
  }

  private async readPage(after: number, count: number, filter: ResolvedFilter | undefined): Promise<Page> {
    if (filter) {
      const { events, scannedTo, more } = await this.source.readFiltered(after + 1, count, filter);
      return { events, scannedTo, full: more };
    }
    const events = await this.source.readAll(after + 1, count);
    return { events, scannedTo: events.length > 0 ? events[events.length - 1].position : after, full: events.length >= count };
  }

  /** New events may exist: short pages read so far are out of date. */
  woken(): void {
    this.generation++;
  }

  private keep(key: string, page: Kept): void {
    this.kept.delete(key);
    this.kept.set(key, page);
    if (this.kept.size > KEPT_PAGES) this.kept.delete(this.kept.keys().next().value!);
  }
}
