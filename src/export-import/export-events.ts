/**
 * Reads a store out as export records: the truncated streams first, then
 * `$all` in position order (or one stream in version order), each link
 * just before its stream's next own event, then the links that follow
 * their streams' last own events, then the gaps at the ends of streams.
 * Every stream's records thus come in version order, and versions that hold
 * nothing any more (links to removed events) are said by a gap record where
 * they would be: an import can refuse any other gap. Pages by key, so a
 * store of any size streams through in constant memory.
 */
import type { EventStore } from '../store/event-store';
import type { ExportedEvent, ExportedGap, ExportedLink, ExportRecord } from './exported-event';
import { exportSql } from './export-import.sql';
import { RawConnection } from './raw-connection';

export interface ExportOptions {
  /** Only this stream (its own events and its links); default `$all`. */
  stream?: string;
  /** Rows per page read. Default 5,000. */
  pageSize?: number;
}

type EventRow = [string, string, number, string, unknown, unknown, string | null, string | null, string, number];

/** A stream of a page: the version its records reached, and its links still to yield. */
interface PageStream {
  reached: number;
  links: ExportedLink[];
}

export async function* exportEvents(store: EventStore, options: ExportOptions = {}): AsyncGenerator<ExportRecord> {
  const pageSize = options.pageSize ?? 5_000;
  const sql = exportSql(store.schema, pageSize);
  const only = options.stream ?? null;
  const connection = await RawConnection.acquire(store);
  try {
    for (const [streamId, beforeVersion] of await connection.rows<[string, number]>(sql.truncations, [only])) {
      yield { kind: 'truncated', streamId, beforeVersion: Number(beforeVersion) };
    }
    let after = 0;
    for (;;) {
      const rows = await connection.rows<EventRow>(only === null ? sql.allPage : sql.streamPage, only === null ? [after] : [only, after]);
      const streams = await pageStreams(connection, sql.linksBefore, rows);
      for (const row of rows) {
        const event = toEvent(row);
        const stream = streams.get(event.streamId)!;
        while (stream.links.length > 0 && stream.links[0].streamVersion < event.streamVersion) {
          yield* recordAt(stream, stream.links.shift()!);
        }
        yield* recordAt(stream, event);
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1][9];
    }
    let afterRef = 0;
    let afterVersion = 0;
    let stream: PageStream | undefined;
    for (;;) {
      const rows = await connection.rows<[string, number, string, number, number]>(sql.linkPage, [only, afterRef, afterVersion]);
      for (const [streamId, streamVersion, eventId, ref, reached] of rows) {
        if (ref !== afterRef) stream = { reached: Number(reached), links: [] };
        yield* recordAt(stream!, { kind: 'link', streamId, streamVersion: Number(streamVersion), eventId });
        [afterRef, afterVersion] = [ref, streamVersion];
      }
      if (rows.length < pageSize) break;
    }
    for (const [streamId, reached, version] of await connection.rows<[string, number, number]>(sql.trailingGaps, [only])) {
      yield gap(streamId, Number(reached) + 1, Number(version) - Number(reached));
    }
  } finally {
    await connection.release();
  }
}

/** `record`, after a gap record when versions between the stream's last record and it hold nothing. */
function* recordAt(stream: PageStream, record: ExportedEvent | ExportedLink): Generator<ExportRecord> {
  if (record.streamVersion > stream.reached + 1) yield gap(record.streamId, stream.reached + 1, record.streamVersion - stream.reached - 1);
  stream.reached = record.streamVersion;
  yield record;
}

/** The streams of a page of events: where their records reached, and the links to yield among the page's events. */
async function pageStreams(connection: RawConnection, text: string, rows: EventRow[]): Promise<Map<string, PageStream>> {
  const spans = new Map<string, { first: number; last: number }>();
  for (const row of rows) {
    const version = Number(row[2]);
    const span = spans.get(row[1]);
    if (span) span.last = version;
    else spans.set(row[1], { first: version, last: version });
  }
  const streams = new Map<string, PageStream>();
  if (spans.size === 0) return streams;
  const ids = [...spans.keys()];
  const found = await connection.rows<[string, number, number | null, string | null]>(text,
    [ids, ids.map((id) => spans.get(id)!.first), ids.map((id) => spans.get(id)!.last)]);
  for (const [streamId, reached, linkVersion, eventId] of found) {
    let stream = streams.get(streamId);
    if (!stream) streams.set(streamId, stream = { reached: Number(reached), links: [] });
    if (linkVersion !== null) stream.links.push({ kind: 'link', streamId, streamVersion: Number(linkVersion), eventId: eventId! });
  }
  return streams;
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

function gap(streamId: string, streamVersion: number, count: number): ExportedGap {
  return { kind: 'gap', streamId, streamVersion, count };
}
