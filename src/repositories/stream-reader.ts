/** Reads of streams and of `$all`, stream info and stream pagination. */
import { InvalidArgumentError, StreamDeletedError, StreamNotFoundError } from '../errors';
import type { PaginateStreamsOptions, ReadAllOptions, RecordedEvent, StreamInfo, StreamPage, StreamReadOptions } from '../types';
import { ALL_STREAM } from '../protocol';
import { assertBackwardStart, assertNonNegativeInteger, assertObject, assertPositiveInteger, assertStorableText, assertStreamIdOrAll, invalidValue, assertFilterTarget } from '../validation';
import { ResolvedFilter, resolveFilter } from './read-filter';
import { ReadRow, hasEvent, toRecordedEvent } from './row-mapping';
import { PAGINATE_SORT_COLUMNS } from './sql/read.sql';
import type { QueryRunner, Statement } from './sql-runner';
import { StoreContext } from './store-context';

export const DEFAULT_READ_COUNT = 1000;
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/** Stream page rows: ref, deleted_at, event_number, then the event (row-mapping.ts). */
const STREAM_ROW = { deletedAt: 1, eventNumber: 2, event: 3 } as const;

/**
 * The most positions one filtered query looks at: a stretch without a match
 * costs one query per this many positions (an index probe per append in it),
 * never a round trip per page of events.
 */
export const FILTER_SCAN_POSITIONS = 100_000;

/** Filtered window rows: how far the window reached, then the event. */
const FILTERED_ROW = { scannedTo: 0, event: 1 } as const;

/** A filtered read: the matches, and the position up to which `$all` was looked at. */
export interface FilteredPage {
  events: RecordedEvent[];
  /** Every position up to here was looked at (>= the last match; at most the last sequenced position). */
  scannedTo: number;
  /** The read stopped at `count` matches or at its scan limit: more may follow at once. */
  more: boolean;
}

/** `$all` window rows: the nearest position beyond the window that holds an event (null at the end), then the event. */
const WINDOW_ROW = { nextPosition: 0, event: 1 } as const;

export class StreamReader {
  /** `runner`: where the reads go; the primary's pool unless reads are routed to standbys. */
  constructor(
    private readonly context: StoreContext,
    private readonly runner: QueryRunner = context.runner,
  ) {}

  async readStreamForward(streamId: string, startVersion = 0, count = DEFAULT_READ_COUNT): Promise<RecordedEvent[]> {
    assertStreamIdOrAll(streamId);
    if (streamId === ALL_STREAM) return this.readAllForward(startVersion, count);
    assertNonNegativeInteger(startVersion, 'startVersion');
    assertPositiveInteger(count, 'count');
    return this.streamPage(streamId, this.context.read.streamForward(count), Math.max(startVersion, 1));
  }

  async readStreamBackward(streamId: string, startVersion = -1, count = DEFAULT_READ_COUNT): Promise<RecordedEvent[]> {
    assertStreamIdOrAll(streamId);
    if (streamId === ALL_STREAM) return this.readAllBackward(startVersion, count);
    assertBackwardStart(startVersion, 'startVersion');
    assertPositiveInteger(count, 'count');
    return this.streamPage(streamId, this.context.read.streamBackward(count), startVersion === -1 ? NO_BOUND : startVersion);
  }

  async readAllForward(startPosition = 0, count = DEFAULT_READ_COUNT, options?: ReadAllOptions): Promise<RecordedEvent[]> {
    assertNonNegativeInteger(startPosition, 'startPosition');
    assertPositiveInteger(count, 'count');
    if (options !== undefined) assertObject(options, 'options');
    const filter = resolveFilter(options?.filter);
    if (filter) return this.readAllMatching(Math.max(startPosition, 1), count, filter);
    const events: RecordedEvent[] = [];
    let low = Math.max(startPosition, 1);
    // A window that ends in a gap (hard-deleted events) is followed by one
    // at the next position that holds an event, so a short page means the
    // end of `$all`, never a gap.
    for (;;) {
      const high = low + (count - events.length) - 1;
      const rows = await this.runner.query<ReadRow>(this.context.read.allForward(), [low, high]);
      appendWindow(events, rows);
      const next = (rows[0]?.[WINDOW_ROW.nextPosition] ?? null) as number | null;
      if (events.length >= count || next === null) return events;
      low = next;
    }
  }

  /**
   * One query: up to `count` events matching `filter` from position `start`
   * on, looking at no more than FILTER_SCAN_POSITIONS positions. A page with
   * no events still says how far it looked, so that a reader steps over a
   * stretch without matches in one go.
   */
  async readAllFiltered(start: number, count: number, filter: ResolvedFilter): Promise<FilteredPage> {
    const high = Math.min(start + FILTER_SCAN_POSITIONS - 1, Number.MAX_SAFE_INTEGER);
    const params: unknown[] = [start, high];
    if (filter.eventTypes) params.push(filter.eventTypes);
    if (filter.streamPrefix !== undefined) params.push(filter.streamPrefix);
    const statement = this.context.read.allFiltered(filter.eventTypes !== undefined, filter.streamPrefix !== undefined, count);
    const rows = await this.runner.query<ReadRow>(statement, params);
    const events: RecordedEvent[] = [];
    appendWindow(events, rows);
    const windowEnd = Number(rows[0]?.[FILTERED_ROW.scannedTo] ?? start - 1);
    if (events.length >= count) return { events, scannedTo: events[events.length - 1].position, more: true };
    return { events, scannedTo: Math.max(windowEnd, start - 1), more: windowEnd >= high };
  }

  /** Filtered windows until `count` matches or the end of `$all`. */
  private async readAllMatching(start: number, count: number, filter: ResolvedFilter): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let low = start;
    for (;;) {
      const page = await this.readAllFiltered(low, count - events.length, filter);
      events.push(...page.events);
      if (events.length >= count || !page.more || page.scannedTo >= Number.MAX_SAFE_INTEGER) return events;
      low = page.scannedTo + 1;
    }
  }

  async readAllBackward(startPosition = -1, count = DEFAULT_READ_COUNT): Promise<RecordedEvent[]> {
    assertBackwardStart(startPosition, 'startPosition');
    assertPositiveInteger(count, 'count');
    let high = startPosition === -1 ? await this.lastPosition() : startPosition;
    const events: RecordedEvent[] = [];
    while (high >= 1) {
      const low = Math.max(1, high - (count - events.length) + 1);
      const rows = await this.runner.query<ReadRow>(this.context.read.allBackward(), [low, high]);
      const window: RecordedEvent[] = [];
      appendWindow(window, rows);
      events.push(...window.reverse());
      const next = (rows[0]?.[WINDOW_ROW.nextPosition] ?? null) as number | null;
      if (events.length >= count || next === null) break;
      high = next;
    }
    return events;
  }

  /** An async iterator over the stream (or `$all`), `batchSize` events per query. */
  streamForward(streamId: string, startVersion = 0, options: StreamReadOptions = {}): AsyncIterable<RecordedEvent> {
    const { all, start, batchSize, filter } = streamForwardArgs(streamId, startVersion, options);
    const readPage = all
      ? (from: number) => (filter ? this.readAllMatching(from, batchSize, filter) : this.readAllForward(from, batchSize))
      : (from: number) => this.readStreamForward(streamId, from, batchSize);
    return paged(start, readPage, batchSize);
  }

  async streamInfo(streamId: string): Promise<StreamInfo> {
    assertStreamIdOrAll(streamId);
    if (streamId === ALL_STREAM) {
      return { streamId: ALL_STREAM, streamVersion: await this.lastPosition(), createdAt: new Date(0) };
    }
    const [row] = await this.runner.query<{ stream_id: string; version: number; created_at: Date; deleted_at: Date | null }>(
      this.context.read.streamInfo(), [streamId]);
    if (!row) throw new StreamNotFoundError(streamId);
    return toStreamInfo(row);
  }

  async paginateStreams(options: PaginateStreamsOptions = {}): Promise<StreamPage> {
    assertObject(options, 'options');
    const page = options.page ?? 1;
    const pageSize = options.pageSize ?? 50;
    const search = options.search ?? '';
    const sortBy = options.sortBy ?? 'streamId';
    const direction = options.sortDirection ?? 'asc';
    assertPositiveInteger(page, 'options.page');
    assertPositiveInteger(pageSize, 'options.pageSize');
    if (pageSize > 10_000) throw new InvalidArgumentError('options.pageSize', `at most 10000, got ${pageSize}`);
    if ((page - 1) * pageSize > Number.MAX_SAFE_INTEGER) throw new InvalidArgumentError('options.page', `too large for pages of ${pageSize}, got ${page}`);
    if (typeof search !== 'string') throw invalidValue('options.search', 'a string', search);
    assertStorableText(search, 'options.search');
    // Own keys only: `'toString' in {}` is true.
    if (typeof sortBy !== 'string' || !Object.hasOwn(PAGINATE_SORT_COLUMNS, sortBy)) {
      throw invalidValue('options.sortBy', `one of ${Object.keys(PAGINATE_SORT_COLUMNS).join(', ')}`, sortBy);
    }
    if (direction !== 'asc' && direction !== 'desc') throw invalidValue('options.sortDirection', '"asc" or "desc"', direction);

    const { runner } = this;
    const { read } = this.context;
    const rows = await runner.query<{ stream_id: string; version: number; created_at: Date; deleted_at: Date | null; total: number }>(
      read.paginate(sortBy, direction, pageSize), [search, (page - 1) * pageSize]);
    const total = rows.length > 0 ? rows[0].total : (await runner.query<{ total: number }>(read.paginateCount(), [search]))[0].total;
    return {
      entries: rows.map((row) => ({ ...toStreamInfo(row), status: row.deleted_at ? 'deleted' : 'created' })),
      pageNumber: page,
      pageSize,
      totalEntries: total,
      totalPages: Math.max(1, Math.ceil(total / pageSize)),
    };
  }

  async lastPosition(): Promise<number> {
    const [row] = await this.runner.query<{ last_position: number }>(this.context.sequencer.lastPosition, []);
    return row.last_position;
  }

  private async streamPage(streamId: string, statement: Statement, bound: number): Promise<RecordedEvent[]> {
    const rows = await this.runner.query<ReadRow>(statement, [streamId, bound]);
    if (rows.length === 0) throw new StreamNotFoundError(streamId);
    if (rows[0][STREAM_ROW.deletedAt] !== null) throw new StreamDeletedError(streamId);
    if (!hasEvent(rows[0], STREAM_ROW.event)) return [];
    return rows.map((row) => toRecordedEvent(row, STREAM_ROW.event, row[STREAM_ROW.eventNumber] as number));
  }
}

/** Adds a window's events, in position order (rows normally arrive ordered; sorted only if not). */
function appendWindow(into: RecordedEvent[], rows: ReadRow[]): void {
  let ordered = true;
  const start = into.length;
  for (const row of rows) {
    if (!hasEvent(row, WINDOW_ROW.event)) continue;
    const event = toRecordedEvent(row, WINDOW_ROW.event, row[WINDOW_ROW.event] as number);
    if (into.length > start && into[into.length - 1].position >= event.position) ordered = false;
    into.push(event);
  }
  if (!ordered) {
    const window = into.splice(start).sort((a, b) => a.position - b.position);
    into.push(...window);
  }
}

/** Checks the arguments of `streamForward` / `streamAllForward` (before any iteration). */
export function streamForwardArgs(streamId: string, start: number, options: StreamReadOptions):
  { all: boolean; start: number; batchSize: number; filter: ResolvedFilter | undefined } {
  assertStreamIdOrAll(streamId);
  assertNonNegativeInteger(start, streamId === ALL_STREAM ? 'startPosition' : 'startVersion');
  const filter = resolveFilter(options?.filter);
  assertFilterTarget(filter, streamId);
  return { all: streamId === ALL_STREAM, start: Math.max(start, 1), batchSize: batchSizeOf(options), filter };
}

function batchSizeOf(options: StreamReadOptions): number {
  const batchSize = options?.batchSize ?? DEFAULT_READ_COUNT;
  assertPositiveInteger(batchSize, 'options.batchSize');
  return batchSize;
}

function paged(start: number, readPage: (from: number) => Promise<RecordedEvent[]>, batchSize: number): AsyncIterable<RecordedEvent> {
  return {
    async *[Symbol.asyncIterator]() {
      let from = start;
      for (;;) {
        const page = await readPage(from);
        for (const event of page) yield event;
        if (page.length < batchSize) return;
        // Next page after the last number seen, so gaps are neither repeated nor waited on.
        from = page[page.length - 1].eventNumber + 1;
      }
    },
  };
}

function toStreamInfo(row: { stream_id: string; version: number; created_at: Date; deleted_at: Date | null }): StreamInfo {
  const info: StreamInfo = { streamId: row.stream_id, streamVersion: row.version, createdAt: row.created_at };
  if (row.deleted_at) info.deletedAt = row.deleted_at;
  return info;
}
