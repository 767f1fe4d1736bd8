import type { RecordedEvent } from '../types';

/**
 * A read row as an array: the statement's own leading columns, then, from
 * index `at`, RECORDED_COLUMNS of sql/read.sql.ts in this order:
 * position, o_stream_id, event_id, stream_version, event_type, data,
 * metadata, causation_id, correlation_id, created_at.
 */
export type ReadRow = unknown[];

export function toRecordedEvent(row: ReadRow, at: number, eventNumber: number): RecordedEvent {
  return {
    eventId: row[at + 2] as string,
    eventNumber,
    position: row[at] as number,
    streamId: row[at + 1] as string,
    streamVersion: row[at + 3] as number,
    eventType: row[at + 4] as string,
    data: row[at + 5],
    metadata: row[at + 6] as Record<string, unknown> | null,
    causationId: row[at + 7] as string | null,
    correlationId: row[at + 8] as string | null,
    createdAt: row[at + 9] as Date,
  };
}

/** Whether the row carries an event (a left join finds none past the end of a stream or window). */
export function hasEvent(row: ReadRow, at: number): boolean {
  return row[at + 2] !== null;
}
