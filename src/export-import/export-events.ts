/**
 * Reads a store out as export records: `$all` in position order (or one
 * stream in version order), then the links. Pages by key, so a store of any
 * size streams through in constant memory.
 */
import type { EventStore } from '../store/event-store';
import type { ExportedEvent, ExportedLink, ExportRecord } from './exported-event';
import { exportSql } from './export-import.sql';
import { RawConnection } from './raw-connection';

export interface ExportOptions {
  /** Only this stream (its own events, then its links); default `$all`. */
  stream?: string;
  /** Rows per page read. Default 5,000. */
  pageSize?: number;
}

type EventRow = [string, string, number, string, unknown, unknown, string | null, string | null, string, number];

export async function* exportEvents(store: EventStore, options: ExportOptions = {}): AsyncGenerator<ExportRecord> {
  const pageSize = options.pageSize ?? 5_000;
  const sql = exportSql(store.schema, pageSize);
  const connection = await RawConnection.acquire(store);
  try {
    let after = 0;
    for (;;) {
      const rows = await connection.rows<EventRow>(options.stream === undefined ? sql.allPage : sql.streamPage,
        options.stream === undefined ? [after] : [options.stream, after]);
      for (const row of rows) yield toEvent(row);
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1][9];
    }
    let afterRef = 0;
    let afterVersion = 0;
    for (;;) {
      const rows = await connection.rows<[string, number, string, number]>(sql.linkPage, [options.stream ?? null, afterRef, afterVersion]);
      for (const [streamId, streamVersion, eventId] of rows) yield { kind: 'link', streamId, streamVersion: Number(streamVersion), eventId } satisfies ExportedLink;
      if (rows.length < pageSize) break;
      [afterRef, afterVersion] = [rows[rows.length - 1][3], rows[rows.length - 1][1]];
    }
  } finally {
    await connection.release();
  }
}

/** How many events an export of `$all` (or of one stream) holds, for progress. */
export async function countExportEvents(store: EventStore, stream?: string): Promise<number> {
  const connection = await RawConnection.acquire(store);
  try {
    const [[count]] = await connection.rows<[number]>(exportSql(store.schema, 1).count, [stream ?? null]);
    return Number(count);
  } finally {
    await connection.release();
  }
}

function toEvent([eventId, streamId, streamVersion, eventType, data, metadata, causationId, correlationId, createdAt]: EventRow): ExportedEvent {
  return { kind: 'event', eventId, streamId, streamVersion: Number(streamVersion), eventType, data, metadata, causationId, correlationId, createdAt };
}
