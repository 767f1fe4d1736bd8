/** Helpers of the export/import specs: whole exports, sources with truncated streams, store comparison. */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EventStore, ExpectedVersion, exportEvents } from '../../src';
import type { ExportRecord, RecordedEvent } from '../../src';
import { fillSource } from '../support/export-fixture';

/** Every record of an export, as plain objects. */
export async function exportAll(store: EventStore, stream?: string): Promise<ExportRecord[]> {
  const records: ExportRecord[] = [];
  for await (const record of exportEvents(store, { stream, pageSize: 7 })) records.push(record);
  return records;
}

export async function* fromArray(values: unknown[]): AsyncGenerator<unknown> {
  for (const value of values) yield value;
}

/**
 * fillSource's streams, more events, and truncations: part of a stream,
 * a whole stream, streams whose events another stream linked (whose
 * versions then hold nothing), and a linking stream.
 */
export async function fillTruncatedSource(store: EventStore, extraAppends = 0): Promise<void> {
  await fillSource(store);
  for (let i = 0; i < extraAppends; i++) {
    await store.appendToStream(`bulk-${i % 7}`, ExpectedVersion.Any, [1, 2, 3].map((k) => ({
      eventId: randomUUID(), eventType: 'Bulk', data: { i, k }, metadata: { k }, causationId: randomUUID(), correlationId: null,
    })));
  }
  // links-b: 1 own, 2-3 order-2's 1-2, 4 own, 5-6 order-2's 3-4, 7 order-0's 1.
  const order2 = await store.readStreamForward('order-2', 1, 4);
  const order0 = await store.readStreamForward('order-0', 1, 1);
  await store.appendToStream('links-b', ExpectedVersion.NoStream, [{ eventType: 'Own', data: { v: 1 } }]);
  await store.linkToStream('links-b', 1, order2.slice(0, 2));
  await store.appendToStream('links-b', 3, [{ eventType: 'Own', data: { v: 4 } }]);
  await store.linkToStream('links-b', 4, [...order2.slice(2, 4), order0[0]]);
  await store.truncateStream('order-0', 5);
  await store.truncateStream('order-1', (await store.streamInfo('order-1')).streamVersion + 1);
  // Links to removed events go: links-b keeps versions 1, 4 and 6.
  await store.truncateStream('order-2', 4);
  await store.truncateStream('links-a', 2);
  await store.appendToStream('order-1', ExpectedVersion.Any, [{ eventType: 'AfterTruncation', data: {} }]);
}

/** The stream ids of a store (from its export and its streams). */
async function streamIds(store: EventStore): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const result = await store.paginateStreams({ page, pageSize: 100 });
    ids.push(...result.entries.map((e) => e.streamId));
    if (page >= result.totalPages) return ids;
  }
}

/**
 * `target` holds exactly `source`: the same export (every field, in order),
 * `$all` in the same order, each stream's events, version and truncation.
 * Positions may differ (an import numbers `$all` densely: no gaps).
 */
export async function expectSameStore(target: EventStore, source: EventStore): Promise<void> {
  expect(await exportAll(target)).to.deep.equal(await exportAll(source));
  const strip = (e: RecordedEvent) => ({ ...e, position: 0 });
  // In `$all` the event number is the position.
  const stripAll = (e: RecordedEvent) => ({ ...e, position: 0, eventNumber: 0 });
  expect((await target.readAllForward(0, 100_000)).map(stripAll)).to.deep.equal((await source.readAllForward(0, 100_000)).map(stripAll));
  const ids = await streamIds(source);
  expect(await streamIds(target)).to.deep.equal(ids);
  for (const id of ids) {
    expect((await target.readStreamForward(id, 0, 100_000)).map(strip), id).to.deep.equal((await source.readStreamForward(id, 0, 100_000)).map(strip));
    expect((await target.streamInfo(id)).streamVersion, id).to.equal((await source.streamInfo(id)).streamVersion);
    expect((await target.getStreamRetention(id)).truncatedBefore, id).to.equal((await source.getStreamRetention(id)).truncatedBefore);
  }
}
