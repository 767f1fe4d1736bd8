/** The records of an export: one JSON object per line (NDJSON). */
import { EventStoreError } from '../errors';

/** An event, in `$all` order (or its stream's order when one stream is exported). */
export interface ExportedEvent {
  kind: 'event';
  eventId: string;
  streamId: string;
  streamVersion: number;
  eventType: string;
  data: unknown;
  metadata: unknown;
  causationId: string | null;
  correlationId: string | null;
  /** ISO 8601 in UTC with microseconds (PostgreSQL's precision, which a Date would lose). */
  createdAt: string;
}

/**
 * An event of another stream linked into `streamId` at `streamVersion`: just
 * before the stream's next own event, or after all events when none follows.
 */
export interface ExportedLink {
  kind: 'link';
  streamId: string;
  streamVersion: number;
  eventId: string;
}

/**
 * The stream's versions below `beforeVersion` were removed (truncateStream,
 * retention): its records begin there. Truncations come first in an export.
 */
export interface ExportedTruncation {
  kind: 'truncated';
  streamId: string;
  beforeVersion: number;
}

/**
 * Versions `streamVersion` to `streamVersion + count - 1` of the stream hold
 * nothing any more: they were links to events that were removed (truncated
 * or deleted). It comes where those versions would.
 */
export interface ExportedGap {
  kind: 'gap';
  streamId: string;
  streamVersion: number;
  count: number;
}

export type ExportRecord = ExportedEvent | ExportedLink | ExportedTruncation | ExportedGap;

export type ImportErrorReason =
  | 'malformed_json'
  | 'missing_field'
  | 'duplicate_event'
  | 'duplicate_version'
  | 'version_order'
  | 'version_gap'
  | 'stream_exists'
  | 'link_target_missing';

/** An import stopped at a bad record; nothing of the chunk holding it was written (earlier chunks were). */
export class ImportError extends EventStoreError {
  readonly code = 'import_error';

  constructor(
    readonly reason: ImportErrorReason,
    /** 1-based line number (record number for a library source). */
    readonly line: number,
    detail: string,
  ) {
    super(`Import stopped at line ${line} (${reason}): ${detail}`);
  }
}
