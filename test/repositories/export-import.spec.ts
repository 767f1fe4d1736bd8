import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { EventStore, ImportError, importEvents, parseNdjson } from '../../src';
import type { ExportRecord } from '../../src';
import { fillSource } from '../support/export-fixture';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { exportAll, fromArray } from './export-import-helpers';


describe('export and import', () => {
  let source: EventStore;
  let exported: ExportRecord[];
  const targets: EventStore[] = [];
  const target = async () => { const t = await connectStore('import'); targets.push(t); return t; };

  before(async () => {
    source = await connectStore('export');
    await fillSource(source);
    exported = await exportAll(source);
  });
  after(async () => {
    await disposeStore(source);
    for (const t of targets) await disposeStore(t);
  });

  it('exports $all in position order, each link just before its stream\'s next own event, or after all events', async () => {
    const all = await source.readAllForward();
    const events = exported.filter((r) => r.kind === 'event');
    expect(events.map((r) => r.eventId)).to.deep.equal(all.map((e) => e.eventId));
    const linksA = exported.flatMap((r, line) => (r.streamId === 'links-a' && r.kind !== 'truncated' ? [`${line}:${r.kind}:${r.streamVersion}`] : []));
    const end = exported.length;
    expect(linksA).to.deep.equal([
      `${end - 7}:link:1`, `${end - 6}:link:2`, `${end - 5}:link:3`, `${end - 4}:event:4`, `${end - 3}:link:5`, `${end - 2}:link:6`, `${end - 1}:link:7`,
    ]);
  });

  it('imports every field, the order of $all and of each stream, and the links', async () => {
    const t = await target();
    const result = await importEvents(t, fromArray(exported), { chunkSize: 10 });
    expect(result).to.deep.equal({ records: exported.length, written: exported.length, skipped: 0 });
    expect(await exportAll(t)).to.deep.equal(exported);
    const strip = (e: { position: number }) => ({ ...e, position: 0 });
    expect((await t.readAllForward()).map(strip)).to.deep.equal((await source.readAllForward()).map(strip));
    for (const stream of ['order-0', 'order-3', 'links-a']) {
      expect((await t.readStreamForward(stream)).map(strip)).to.deep.equal((await source.readStreamForward(stream)).map(strip));
      expect((await t.streamInfo(stream)).streamVersion).to.equal((await source.streamInfo(stream)).streamVersion);
    }
    // The imported store takes appends where the source stopped.
    const version = (await t.streamInfo('order-1')).streamVersion;
    await t.appendToStream('order-1', version, [{ eventType: 'After', data: {} }]);
  });

  it('resumes: a prefix then the whole file writes each record once', async () => {
    const t = await target();
    await importEvents(t, fromArray(exported.slice(0, 37)), { chunkSize: 10 });
    const result = await importEvents(t, fromArray(exported), { chunkSize: 10 });
    expect(result.skipped).to.equal(37);
    expect(result.written).to.equal(exported.length - 37);
    expect(await exportAll(t)).to.deep.equal(exported);
    const positions = (await t.readAllForward()).map((e) => e.position);
    expect(new Set(positions).size).to.equal(positions.length);
  });

  describe('bad input stops at its line and writes nothing of its chunk', () => {
    const events = () => exported.filter((r) => r.kind === 'event').slice(0, 20).map((r) => ({ ...r })) as Array<ExportRecord & { kind: 'event' }>;
    const cases: Array<[string, () => unknown[], string, number]> = [
      ['a missing field', () => { const e = events(); delete (e[14] as Partial<ExportRecord>).streamId; return e; }, 'missing_field', 15],
      ['an invalid UUID', () => { const e = events(); e[12] = { ...e[12], eventId: 'x' }; return e; }, 'missing_field', 13],
      ['a duplicate event id', () => { const e = events(); e[15] = { ...e[15], eventId: e[3].eventId }; return e; }, 'duplicate_event', 16],
      ['a duplicate version', () => { const e = events(); const i = e.findIndex((x, k) => k > 10 && e.slice(0, k).some((y) => y.streamId === x.streamId)); const prev = e.slice(0, i).filter((y) => y.streamId === e[i].streamId).pop()!; e[i] = { ...e[i], streamVersion: prev.streamVersion }; return e; }, 'duplicate_version', -1],
      ['a version going back (below the version before it, not equal to it)', () => { const e = events(); const i = e.findIndex((x, k) => k > 10 && e.slice(0, k).filter((y) => y.streamId === x.streamId).length >= 2); e[i] = { ...e[i], streamVersion: 1 }; return e; }, 'version_order', -1],
    ];
    for (const [label, input, reason, line] of cases) {
      it(label, async () => {
        const t = await target();
        const records = input();
        const error = await caught(importEvents(t, fromArray(records), { chunkSize: 10 }));
        expect(error).to.be.instanceOf(ImportError);
        expect(error.code).to.equal('import_error');
        expect(error.reason).to.equal(reason);
        const expectedLine = line > 0 ? line : records.findIndex((r, k) => (r as { streamVersion?: number }).streamVersion !== events()[k].streamVersion) + 1;
        expect(error.line).to.equal(expectedLine);
        expect(error.message).to.contain(`line ${expectedLine}`);
        // The first chunk (lines 1-10) is written, nothing of the second.
        expect((await tableCounts(t.schema)).events).to.equal(10);
      });
    }

    it('a malformed JSON line', async () => {
      const t = await target();
      const text = events().map((e, k) => (k === 13 ? '{"kind": "event",' : JSON.stringify(e))).join('\n');
      const error = await caught(importEvents(t, parseNdjson(Readable.from([text])), { chunkSize: 10 }));
      expect(error).to.be.instanceOf(ImportError);
      expect(error.reason).to.equal('malformed_json');
      expect(error.line).to.equal(14);
      expect((await tableCounts(t.schema)).events).to.equal(10);
    });

    it('an event already in the store at another place, and a taken version', async () => {
      const t = await target();
      await importEvents(t, fromArray(events().slice(0, 10)));
      const moved = { ...events()[4], streamId: 'elsewhere', streamVersion: 1 };
      const error = await caught(importEvents(t, fromArray([moved])));
      expect(error.reason).to.equal('duplicate_event');
      expect(error.line).to.equal(1);
      const taken = { ...events()[4], eventId: randomUUID() };
      const error2 = await caught(importEvents(t, fromArray([taken])));
      expect(error2.reason).to.equal('duplicate_version');
      expect((await tableCounts(t.schema)).events).to.equal(10);
    });

    it('a link to an event that is nowhere', async () => {
      const t = await target();
      const error = await caught(importEvents(t, fromArray([{ kind: 'link', streamId: 'l', streamVersion: 1, eventId: randomUUID() }])));
      expect(error.reason).to.equal('link_target_missing');
      expect(error.line).to.equal(1);
    });
  });
});
