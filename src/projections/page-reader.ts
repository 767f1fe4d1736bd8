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
import type { RecordedEvent } from '../types';

/** Pages kept for projections that lag behind the first reader. */
const KEPT_PAGES = 4;

interface Kept {
  events: RecordedEvent[];
  full: boolean;
  /** The wake-up generation the read started in. */
  generation: number;
}

export class PageReader {
  private readonly inFlight = new Map<string, Promise<RecordedEvent[]>>();
  private readonly kept = new Map<string, Kept>();
  private generation = 0;

  constructor(private readonly readAll: (startPosition: number, count: number) => Promise<RecordedEvent[]>) {}

  /** Up to `count` events after position `after`. */
  read(after: number, count: number): Promise<RecordedEvent[]> {
    const key = `${after}:${count}`;
    const kept = this.kept.get(key);
    if (kept && (kept.full || kept.generation === this.generation)) return Promise.resolve(kept.events);
    const generation = this.generation;
    // Reads that started before the last wake-up are not joined: they may miss what it announced.
    const flightKey = `${generation}:${key}`;
    let read = this.inFlight.get(flightKey);
    if (!read) {
      read = this.readAll(after + 1, count).then((events) => {
        if (events.length > 0) this.keep(key, { events, full: events.length >= count, generation });
        return events;
      }).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, read);
    }
    return read;
  }

  /** Starts reading the page after `after` without waiting for it (the next batch's, while this one commits). */
  prefetch(after: number, count: number): void {
    this.read(after, count).catch(() => undefined);
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
