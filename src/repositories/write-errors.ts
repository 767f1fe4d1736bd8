/** Turns the write functions' result codes and constraint violations into the store's typed errors. */
import {
  DuplicateEventError,
  EventStoreError,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../errors';
import type { ExpectedVersionValue } from '../types';
import { WriteStatus } from '../protocol';

export function refusal(status: number, streamId: string, expected: ExpectedVersionValue, actualVersion: number): EventStoreError {
  switch (status) {
    case WriteStatus.StreamExists:
      return new StreamExistsError(streamId, actualVersion);
    case WriteStatus.StreamNotFound:
      return new StreamNotFoundError(streamId);
    case WriteStatus.StreamDeleted:
      return new StreamDeletedError(streamId);
    case WriteStatus.WrongExpectedVersion:
      return new WrongExpectedVersionError(streamId, expected, actualVersion);
    default:
      throw new Error(`unexpected write status ${status}`);
  }
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

// An event id stored twice, or an event linked twice into one stream. (The
// (stream, version) keys cannot clash: versions are taken on the locked stream row.)
const DUPLICATE_CONSTRAINTS = new Set(['events_pkey', 'stream_links_event_id_stream_ref_unique']);

/** Maps a database error of a write to a typed error, or returns it unchanged. */
export function mapWriteError(error: unknown, eventIds: readonly string[]): unknown {
  const pg = error as PgError;
  if (pg?.code === '23505' && pg.constraint && DUPLICATE_CONSTRAINTS.has(pg.constraint)) {
    const id = /\(([^)]*)\)=\(([0-9a-f-]{36})/.exec(pg.detail ?? '')?.[2];
    const ids = id ? [id] : [...eventIds];
    return new DuplicateEventError(ids, pg.constraint === 'events_pkey'
      ? `event id ${id ?? ids.join(', ')} is already stored`
      : `event ${id ?? ids.join(', ')} is already linked into this stream`);
  }
  return error;
}

/** Whether a write failed because one of its event ids is already stored (perhaps an exact retry). */
export function isStoredEventId(error: unknown): boolean {
  const pg = error as PgError;
  return pg?.code === '23505' && pg.constraint === 'events_pkey';
}
