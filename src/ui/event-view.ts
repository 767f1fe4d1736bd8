/**
 * How an event travels to the page: every field as JSON, its data and
 * metadata as given, or, in lists, shortened to a preview when large (the
 * page loads the whole event on demand).
 */
import type { RecordedEvent } from '../types';

/** Data and metadata above this many characters of JSON are shortened in lists. */
export const PREVIEW_CHARS = 400;

export interface EventView {
  eventId: string;
  eventNumber: number;
  position: number;
  streamId: string;
  streamVersion: number;
  eventType: string;
  createdAt: string;
  causationId: string | null;
  correlationId: string | null;
  /** The data as stored, or a preview (a string) when `truncated`. */
  data: unknown;
  metadata: unknown;
  /** True when data or metadata were shortened: GET /api/events/:position has them whole. */
  truncated: boolean;
  /** Characters of the data's JSON. */
  dataSize: number;
}

export function eventView(event: RecordedEvent, options: { full: boolean }): EventView {
  const data = shorten(event.data, options.full);
  const metadata = shorten(event.metadata, options.full);
  return {
    eventId: event.eventId,
    eventNumber: event.eventNumber,
    position: event.position,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    eventType: event.eventType,
    createdAt: event.createdAt.toISOString(),
    causationId: event.causationId ?? null,
    correlationId: event.correlationId ?? null,
    data: data.value,
    metadata: metadata.value,
    truncated: data.truncated || metadata.truncated,
    dataSize: data.size,
  };
}

function shorten(value: unknown, full: boolean): { value: unknown; truncated: boolean; size: number } {
  const json = JSON.stringify(value ?? null);
  if (full || json.length <= PREVIEW_CHARS) return { value: value ?? null, truncated: false, size: json.length };
  return { value: `${json.slice(0, PREVIEW_CHARS)}…`, truncated: true, size: json.length };
}
