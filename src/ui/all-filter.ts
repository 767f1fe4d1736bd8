/**
 * Pages of `$all` with the event-type and stream-prefix filters. The
 * filters are applied here, over pages read from the store, and only here:
 * once the store filters in the database (`readAllForward(start, count,
 * { filter })`), this function passes them through and nothing else changes.
 * A request reads at most SCAN_LIMIT events, so a rare type cannot make it
 * read the whole store: it answers with what it found and where to go on.
 */
import type { EventStore } from '../store/event-store';
import type { RecordedEvent } from '../types';

export interface AllFilter {
  /** Event types to keep; empty: every type. */
  eventTypes: string[];
  /** Keep the events of streams whose id starts with this; '': every stream. */
  streamPrefix: string;
}

export interface AllPageRequest {
  direction: 'forward' | 'backward';
  /** First position to read (inclusive); -1 backward: from the end. */
  start: number;
  /** Matching events wanted. */
  count: number;
  filter: AllFilter;
  /** Events read at most, matching or not; default SCAN_LIMIT. */
  scanLimit?: number;
}

export interface AllPage {
  events: RecordedEvent[];
  /** Where the next page starts (inclusive), or null at the end of `$all`. */
  next: number | null;
  /** Events read to find these (more than `events` when filtered). */
  scanned: number;
}

/** Events read from the store per request at most, matching or not. */
export const SCAN_LIMIT = 5000;
const READ_PAGE = 500;

export function matchesFilter(event: RecordedEvent, filter: AllFilter): boolean {
  if (filter.eventTypes.length > 0 && !filter.eventTypes.includes(event.eventType)) return false;
  return filter.streamPrefix === '' || event.streamId.startsWith(filter.streamPrefix);
}

export function isFiltered(filter: AllFilter): boolean {
  return filter.eventTypes.length > 0 || filter.streamPrefix !== '';
}

export async function readAllPage(store: Pick<EventStore, 'readAllForward' | 'readAllBackward'>, request: AllPageRequest): Promise<AllPage> {
  const { direction, count, filter } = request;
  const events: RecordedEvent[] = [];
  let start = request.start;
  let scanned = 0;
  const scanLimit = request.scanLimit ?? SCAN_LIMIT;
  const pageSize = isFiltered(filter) ? Math.min(READ_PAGE, scanLimit) : count;
  while (events.length < count && scanned < scanLimit) {
    if (direction === 'backward' && start === 0) return { events, next: null, scanned };
    const page = direction === 'forward' ? await store.readAllForward(start, pageSize) : await store.readAllBackward(start, pageSize);
    if (page.length === 0) return { events, next: direction === 'forward' ? start : null, scanned };
    for (const event of page) {
      scanned += 1;
      start = direction === 'forward' ? event.position + 1 : event.position - 1;
      if (!matchesFilter(event, filter)) continue;
      events.push(event);
      if (events.length === count) break;
    }
    if (page.length < pageSize && events.length < count) return { events, next: direction === 'forward' ? start : null, scanned };
  }
  return { events, next: direction === 'backward' && start <= 0 ? null : start, scanned };
}
