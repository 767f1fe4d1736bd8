/**
 * Reads a store out as export records: the truncated streams first, then
 * `$all` in position order (or one stream in version order), each link
 * just before its stream's next own event, then the links that follow
 * their streams' last own events. Every stream's records thus come in
 * version order without a gap. Pages by key, so a store of any size
 * streams through in constant memory.
 */
import type { EventStore } from '../repositories/event-store';
import type { ExportedEvent, ExportedLink, ExportRecord } from './exported-event';
import { exportSql } from './export-import.sql';
import { RawConnection } from './raw-connection';

export interface ExportOptions {
  /** Only this stream (its own events and its links); default `$all`. */
  stream?: string;
  /** Rows per page read. Default 5,000. */
  pageSize?: number;
}

type EventRow = [string, string, number, string, unknown, unknown, string | null, string | null, string, number];
type LinkRow = [string, number, string];

export async function* exportEvents(store: EventStore, options: ExportOptions = {}): AsyncGenerator<ExportRecord> {
  const pageSize = options.pageSize ?? 5_000;
  const sql = exportSql(store.schema, pageSize);
  const connection = await RawConnection.acquire(store);
  try {
    for (const [streamId, beforeVersion] of await connection.rows<[string, number]>(sql.truncations, [options.stream ?? null])) {
      yield { kind: 'truncated', streamId, beforeVersion: Number(beforeVersion) };
    }
    let after = 0;
    for (;;) {
      const rows = await connection.rows<EventRow>(options.stream === undefined ? sql.allPage : sql.streamPage,
        options.stream === undefined ? [after] : [options.stream, after]);
      const links = await linksBefore(connection, sql.linksBefore, rows);
      for (const row of rows) {
        const event = toEvent(row);
        const waiting = links.get(event.streamId);
        while (waiting && waiting.length > 0 && waiting[0].streamVersion < event.streamVersion) yield waiting.shift()!;
        yield event;
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1][9];
    }
    let afterRef = 0;
    let afterVersion = 0;
    for (;;) {
      const rows = await connection.rows<[string, number, string, number]>(sql.linkPage, [options.stream ?? null, afterRef, afterVersion]);
      for (const [streamId, streamVersion, eventId] of rows) yield toLink([streamId, streamVersion, eventId]);
      if (rows.length < pageSize) break;
      [afterRef, afterVersion] = [rows[rows.length - 1][3], rows[rows.length - 1][1]];
    }
  } finally {
    await connection.release();
  }
}

/** The links to yield among a page's events, per stream, in version order. */
async function linksBefore(connection: RawConnection, text: string, rows: EventRow[]): Promise<Map<string, ExportedLink[]>> {
  const spans = new Map<string, { first: number; last: number }>();
  for (const row of rows) {
    const version = Number(row[2]);
    const span = spans.get(row[1]);
    if (span) span.last = version;
    else spans.set(row[1], { first: version, last: version });
  }
  const links = new Map<string, ExportedLink[]>();
  if (spans.size === 0) return links;
  const ids = [...spans.keys()];
  const found = await connection.rows<LinkRow>(text, [ids, ids.map((id) => spans.get(id)!.first), ids.map((id) => spans.get(id)!.last)]);
  for (const row of found) {
    const list = links.get(row[0]) ?? [];
    list.push(toLink(row));
    links.set(row[0], list);
  }
  return links;
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

function toLink([streamId, streamVersion, eventId]: LinkRow): ExportedLink {
  return { kind: 'link', streamId, streamVersion: Number(streamVersion), eventId };
}
