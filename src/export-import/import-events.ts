/**
 * Loads export records into a store: each chunk is copied (COPY) into a
 * session staging table, checked, and written to streams, events, links and
 * append_log in one transaction; the sequencer then numbers the chunk's
 * appends in file order, so `$all` keeps the source's order. Records already
 * in the store (the same event at the same stream version: a previous run
 * that stopped) are skipped, so a re-run resumes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { EventStore } from '../store/event-store';
import { ExportRecord, ImportError, ImportErrorReason } from './exported-event';
import { importSql } from './export-import.sql';
import { RawConnection } from './raw-connection';
import { RecordChecker } from './record-check';

export interface ImportOptions {
  /** Records per transaction. Default 10,000. */
  chunkSize?: number;
  /** Called after each committed chunk. */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  /** Records read so far (the last line number). */
  records: number;
  /** Events and links written by this run. */
  written: number;
  /** Records found already in the store (written by an earlier run). */
  skipped: number;
}

/**
 * Imports `source` (parsed NDJSON values: see `parseNdjson`) into `store`.
 * Bad input throws ImportError with its line; the chunks before it stay written.
 */
export async function importEvents(store: EventStore, source: AsyncIterable<unknown>, options: ImportOptions = {}): Promise<ImportProgress> {
  const chunkSize = options.chunkSize ?? 10_000;
  const sql = importSql(store.schema);
  const checker = new RecordChecker();
  const progress: ImportProgress = { records: 0, written: 0, skipped: 0 };
  const connection = await RawConnection.acquire(store);
  try {
    await connection.client.query(sql.createStage);
    let chunk: string[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const result = await writeChunk(connection, sql, chunk);
      progress.written += result.written;
      progress.skipped += chunk.length - result.written;
      chunk = [];
      options.onProgress?.({ ...progress });
    };
    for await (const value of source) {
      const line = progress.records + 1;
      chunk.push(stageRow(checker.check(value, line), line));
      progress.records = line;
      if (chunk.length >= chunkSize) await flush();
    }
    await flush();
    return progress;
  } finally {
    await connection.release();
  }
}

async function writeChunk(connection: RawConnection, sql: ReturnType<typeof importSql>, rows: string[]): Promise<{ written: number }> {
  const { client } = connection;
  await client.query('begin');
  try {
    await pipeline(Readable.from(rows), client.query(copyFrom(sql.copy)));
    const conflict = await client.query<{ line: string; reason: ImportErrorReason; detail: string }>(sql.firstConflict);
    if (conflict.rows.length > 0) {
      const { line, reason, detail } = conflict.rows[0];
      throw new ImportError(reason, Number(line), detail);
    }
    const dropped = (await client.query(sql.dropPresent)).rowCount ?? 0;
    await client.query(sql.upsertStreams);
    await client.query(sql.insertTruncations);
    await client.query(sql.insertEvents);
    await client.query(sql.insertAppends);
    await client.query(sql.insertLinks);
    await client.query('commit');
    // Numbered after the commit, as an append outside a caller's transaction is.
    await client.query(sql.sequence);
    return { written: rows.length - dropped };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** One line of COPY's text format. */
function stageRow(record: ExportRecord, line: number): string {
  const values = record.kind === 'event'
    ? [line, 'event', record.eventId, record.streamId, record.streamVersion, record.eventType, JSON.stringify(record.data),
      record.metadata === null ? null : JSON.stringify(record.metadata), record.causationId, record.correlationId, record.createdAt, null]
    : record.kind === 'link'
      ? [line, 'link', record.eventId, record.streamId, record.streamVersion, null, null, null, null, null, null, null]
      : record.kind === 'gap'
        ? [line, 'gap', null, record.streamId, record.streamVersion, null, null, null, null, null, null, record.streamVersion + record.count - 1]
        // A truncation is staged with its beforeVersion as its version.
        : [line, 'truncated', null, record.streamId, record.beforeVersion, null, null, null, null, null, null, null];
  return `${values.map(copyText).join('\t')}\n`;
}

function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
