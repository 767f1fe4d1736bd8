import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EventStore, ExpectedVersion, ImportError, importEvents } from '../../src';
import type { ExportedEvent, ExportRecord } from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { exportAll, expectSameStore, fillTruncatedSource, fromArray } from './export-import-helpers';

/** An event record of `stream` at `version`. */
function event(stream: string, version: number): ExportedEvent {
  return {
    kind: 'event', eventId: randomUUID(), streamId: stream, streamVersion: version, eventType: 'E', data: { version },
    metadata: null, causationId: null, correlationId: null, createdAt: '2026-01-02T03:04:05.678901Z',
  };
}

/** Events 1..n of each stream, streams interleaved. */
function interleaved(streams: string[], n: number): ExportedEvent[] {
  return Array.from({ length: n }, (_, i) => streams.map((s) => event(s, i + 1))).flat();
}

describe('import: versions continue each stream without a gap; truncated stores round-trip', () => {
  let source: EventStore;
  const targets: EventStore[] = [];
  const target = async () => { const t = await connectStore('import_versions'); targets.push(t); return t; };

  before(async () => {
    source = await connectStore('export_truncated');
    await fillTruncatedSource(source);
  });
  after(async () => {
    await disposeStore(source);
    for (const t of targets) await disposeStore(t);
  });

  async function refused(t: EventStore, records: unknown[], reason: string, line: number, writtenEvents: number): Promise<ImportError> {
    const error = await caught(importEvents(t, fromArray(records), { chunkSize: 10 }));
    expect(error).to.be.instanceOf(ImportError);
    expect(error).to.include({ code: 'import_error', reason, line });
    expect(error.message).to.contain(`line ${line}`);
    expect((await tableCounts(t.schema)).events).to.equal(writtenEvents);
    return error;
  }

  describe('refused with the line, nothing of its chunk written', () => {
    it('a version missing inside the file', async () => {
      const records = interleaved(['a', 'b'], 8);
      records.splice(12, 1); // a's version 7 (line 13): a 8 (line 14) comes after a 6
      const error = await refused(await target(), records, 'version_gap', 14, 10);
      expect(error.message).to.contain('stream a: version 8 after version 6 (version 7 is missing)');
    });

    it('a link version missing', async () => {
      const t = await target();
      const events = interleaved(['a'], 3);
      const links = [1, 2, 4].map((v, i) => ({ kind: 'link', streamId: 'l', streamVersion: v, eventId: events[i].eventId }));
      await refused(t, [...events, ...links], 'version_gap', 6, 0);
    });

    it('a stream that does not begin at version 1 (nor at a truncation)', async () => {
      const t = await target();
      await refused(t, [...interleaved(['a'], 11), event('b', 2)], 'version_gap', 12, 10);
    });

    it('a stream that does not continue what the store holds', async () => {
      const t = await target();
      await t.appendToStream('s', ExpectedVersion.NoStream, [1, 2, 3].map(() => ({ eventType: 'E', data: {} })));
      const error = await refused(t, [event('s', 5)], 'version_gap', 1, 3);
      expect(error.message).to.contain('stream s is at version 3: the import must continue it at version 4, not 5');
      // Continuing it is fine.
      await importEvents(t, fromArray([event('s', 4), event('s', 5)]));
      expect((await t.readStreamForward('s')).map((e) => e.eventNumber)).to.deep.equal([1, 2, 3, 4, 5]);
    });

    it('a truncation after records of its stream, or of a stream already in the store', async () => {
      await refused(await target(), [event('a', 1), { kind: 'truncated', streamId: 'a', beforeVersion: 3 }], 'version_order', 2, 0);
      const t = await target();
      await t.appendToStream('s', ExpectedVersion.NoStream, [{ eventType: 'E', data: {} }]);
      await refused(t, [{ kind: 'truncated', streamId: 's', beforeVersion: 3 }, event('s', 3)], 'stream_exists', 1, 1);
    });

    it('a gap record with a bad count, or not where the stream is', async () => {
      await refused(await target(), [event('a', 1), { kind: 'gap', streamId: 'a', streamVersion: 2, count: 0 }], 'missing_field', 2, 0);
      await refused(await target(), [event('a', 1), { kind: 'gap', streamId: 'a', streamVersion: 3, count: 1 }], 'version_gap', 2, 0);
      // A gap, then the versions after it: accepted.
      const t = await target();
      await importEvents(t, fromArray([event('a', 1), { kind: 'gap', streamId: 'a', streamVersion: 2, count: 2 }, event('a', 4)]));
      expect((await t.readStreamForward('a')).map((e) => e.eventNumber)).to.deep.equal([1, 4]);
      expect((await t.streamInfo('a')).streamVersion).to.equal(4);
    });

    it('a truncation with a bad beforeVersion, and a stream not beginning where its truncation says', async () => {
      await refused(await target(), [{ kind: 'truncated', streamId: 'a', beforeVersion: 0 }], 'missing_field', 1, 0);
      await refused(await target(), [{ kind: 'truncated', streamId: 'a', beforeVersion: 3 }, event('a', 4)], 'version_gap', 2, 0);
    });
  });

  it('a store with truncated streams: exported with its truncations, imported exactly (every field, order, versions)', async () => {
    const exported = await exportAll(source);
    const truncations = exported.filter((r) => r.kind === 'truncated');
    expect(truncations.map((r) => `${r.streamId}<${(r as { beforeVersion: number }).beforeVersion}`))
      .to.have.members(['order-0<5', `order-1<${(await source.streamInfo('order-1')).streamVersion}`, 'order-2<4', 'links-a<2']);
    // Versions of links-b whose linked events were removed: gap records where they were.
    expect(exported.filter((r) => r.streamId === 'links-b').map((r) => (r.kind === 'gap' ? `gap:${r.streamVersion}+${r.count}` : `${r.kind}:${(r as { streamVersion: number }).streamVersion}`)))
      .to.deep.equal(['event:1', 'gap:2+2', 'event:4', 'gap:5+1', 'link:6', 'gap:7+1']);
    expect(exported.slice(0, truncations.length)).to.deep.equal(truncations);
    // No link to a removed event is left.
    const ids = new Set(exported.flatMap((r) => (r.kind === 'event' ? [r.eventId] : [])));
    expect(exported.filter((r) => r.kind === 'link').every((r) => ids.has((r as { eventId: string }).eventId))).to.equal(true);

    const t = await target();
    const result = await importEvents(t, fromArray(exported), { chunkSize: 9 });
    expect(result).to.deep.equal({ records: exported.length, written: exported.length, skipped: 0 });
    await expectSameStore(t, source);
    // Appends continue the imported versions.
    const version = (await t.streamInfo('order-0')).streamVersion;
    expect((await t.appendToStream('order-0', version, [{ eventType: 'Next', data: {} }])).streamVersion).to.equal(version + 1);
  });

  it('a truncated store resumes after a prefix', async () => {
    const exported: ExportRecord[] = await exportAll(source);
    const t = await target();
    await importEvents(t, fromArray(exported.slice(0, 23)), { chunkSize: 5 });
    const result = await importEvents(t, fromArray(exported), { chunkSize: 5 });
    expect(result.skipped).to.equal(23);
    await expectSameStore(t, source);
  });
});
