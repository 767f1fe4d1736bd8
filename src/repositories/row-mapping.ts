import type { RecordedEvent } from '../types';

/** A row of the read statements (see sql/read.sql.ts). */
export interface EventRow {
  event_id: string;
  position: number;
  o_stream_id: string;
  stream_version: number;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
  causation_id: string | null;
  correlation_id: string | null;
  created_at: Date;
}

export function toRecordedEvent(row: EventRow, eventNumber: number): RecordedEvent {
  return {
    eventId: row.event_id,
    eventNumber,
    position: row.position,
    streamId: row.o_stream_id,
    streamVersion: row.stream_version,
    eventType: row.event_type,
    data: row.data,
    metadata: row.metadata,
    causationId: row.causation_id,
    correlationId: row.correlation_id,
    createdAt: row.created_at,
  };
}
