/** Appends, links and deletes. */
import { DuplicateEventError, EventNotFoundError, NotSupportedError } from '../errors';
import type { AppendResult, DeleteOptions, EventData, ExpectedVersionValue, RecordedEvent, WriteOptions } from '../types';
import { WriteStatus, expectedVersionStatus } from '../protocol';
import { assertBoolean, assertStreamId, assertUuid, assertWriteOptions, invalidValue } from '../validation';
import { encodeEvents, encodeExpectedVersion } from '../encoding';
import { AppendRow, ReplayRow, WriteRow } from './sql/write.sql';
import { transactionOf } from './sql-runner';
import { StoreContext } from './store-context';
import { isStoredEventId, mapWriteError, refusal } from './write-errors';

export class StreamWriter {
  constructor(private readonly context: StoreContext) {}

  async append(streamId: string, expectedVersion: ExpectedVersionValue, events: readonly EventData[], options: WriteOptions = {}): Promise<AppendResult> {
    assertStreamId(streamId);
    const expected = encodeExpectedVersion(expectedVersion);
    const encoded = encodeEvents(events);
    assertWriteOptions(options);
    const trx = transactionOf(options.em);
    if (encoded.ids.length === 0) return this.checkOnly(streamId, expectedVersion, expected, options);

    const { runner, write } = this.context;
    let row: AppendRow;
    try {
      [row] = await runner.query<AppendRow>(write.append, [
        streamId, expected, encoded.ids, encoded.types, encoded.data, encoded.metadata,
        encoded.causation, encoded.correlation, trx === undefined,
      ], trx);
    } catch (error) {
      // An id already stored with an expected version that passed (any,
      // stream exists, the current version): an exact retry resolves with its
      // original result. Outside a caller's transaction the failed append is
      // rolled back, so the look-up runs on its own; inside one the caller's
      // transaction is aborted and the error stands.
      const replay = trx === undefined && isStoredEventId(error)
        ? (await runner.query<ReplayRow>(write.replay, [streamId, encoded.ids]))[0]
        : undefined;
      if (!replay) throw mapWriteError(error, encoded.ids);
      row = { status: WriteStatus.Ok, ...replay };
    }
    if (row.status !== WriteStatus.Ok) throw refusal(row.status, streamId, expectedVersion, row.stream_version);
    if (trx) return { streamVersion: row.stream_version, position: null };
    // Outside a caller's transaction the append is committed now; if the
    // sequencer was busy, it is numbered before we return (read your writes, G3).
    // An exact retry (es_replay) whose original is not numbered yet waits the same way.
    const position = row.last_position ?? (await this.context.positions.positionOf(row.tx!));
    return { streamVersion: row.stream_version, position };
  }

  async link(
    streamId: string,
    expectedVersion: ExpectedVersionValue,
    events: ReadonlyArray<string | Pick<RecordedEvent, 'eventId'>>,
    options: WriteOptions = {},
  ): Promise<AppendResult> {
    assertStreamId(streamId);
    const expected = encodeExpectedVersion(expectedVersion);
    const ids = linkedEventIds(events);
    assertWriteOptions(options);
    if (ids.length === 0) return this.checkOnly(streamId, expectedVersion, expected, options);
    const trx = transactionOf(options.em);
    let row: WriteRow;
    try {
      [row] = await this.context.runner.query<WriteRow>(this.context.write.link, [streamId, expected, ids], trx);
    } catch (error) {
      throw mapWriteError(error, ids);
    }
    if (row.status === WriteStatus.EventNotFound) throw new EventNotFoundError(await this.missingEvents(ids, options));
    if (row.status === WriteStatus.DuplicateEvent) {
      throw new DuplicateEventError(ids, `an event is already in stream ${JSON.stringify(streamId)}`);
    }
    if (row.status !== WriteStatus.Ok) throw refusal(row.status, streamId, expectedVersion, row.stream_version);
    return { streamVersion: row.stream_version, position: null };
  }

  async delete(streamId: string, expectedVersion: ExpectedVersionValue, options: DeleteOptions = {}): Promise<void> {
    assertStreamId(streamId);
    const expected = encodeExpectedVersion(expectedVersion);
    assertWriteOptions(options);
    const hard = options.hard ?? false;
    assertBoolean(hard, 'options.hard');
    if (hard && !this.context.enableHardDeletes) {
      throw new NotSupportedError('Hard deletes are disabled; enable them with EventStore.connect({ enableHardDeletes: true })');
    }
    const [row] = await this.context.runner.query<WriteRow>(this.context.write.delete, [streamId, expected, hard], transactionOf(options.em));
    if (row.status !== WriteStatus.Ok) throw refusal(row.status, streamId, expectedVersion, row.stream_version);
  }

  /**
   * An append or link of nothing writes nothing: it checks the expected
   * version against the stream as it is (same errors as a real append) and
   * returns the stream's version.
   */
  private async checkOnly(streamId: string, expectedVersion: ExpectedVersionValue, expected: number, options: WriteOptions): Promise<AppendResult> {
    const [state] = await this.context.runner.query<{ version: number; deleted_at: Date | null }>(
      this.context.write.streamState, [streamId], transactionOf(options.em));
    const status = expectedVersionStatus(expected, state);
    if (status !== WriteStatus.Ok) throw refusal(status, streamId, expectedVersion, state?.version ?? 0);
    return { streamVersion: state?.version ?? 0, position: null };
  }

  private async missingEvents(ids: string[], options: WriteOptions): Promise<string[]> {
    const rows = await this.context.runner.query<{ event_id: string }>(
      { text: `select event_id from ${this.context.naming.t('events')} where event_id = any($1::uuid[])` },
      [ids], transactionOf(options.em));
    const found = new Set(rows.map((r) => r.event_id));
    return ids.filter((id) => !found.has(id));
  }
}

function linkedEventIds(events: unknown): string[] {
  if (!Array.isArray(events)) throw invalidValue('events', 'an array of event ids or recorded events', events);
  const ids: string[] = [];
  const seen = new Set<string>();
  events.forEach((event: unknown, index) => {
    const id = typeof event === 'string' ? event : (event as { eventId?: unknown } | null)?.eventId;
    assertUuid(id, `events[${index}]`);
    const normalised = id.toLowerCase();
    if (seen.has(normalised)) throw new DuplicateEventError([normalised], `event ${normalised} appears twice in one link`);
    seen.add(normalised);
    ids.push(normalised);
  });
  return ids;
}
