import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  StreamDeletedError,
  StreamNotFoundError,
} from '../../src';
import type { RecordedEvent, StreamPage } from '../../src';
import { observeReads } from '../support/store-probe';
import { caught, connectStore, disposeStore, events } from '../support/stores';

const versions = (read: RecordedEvent[]) => read.map((e) => e.streamVersion);
const numbers = (read: RecordedEvent[]) => read.map((e) => e.eventNumber);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('reading streams', () => {
  let store: EventStore;
  let n = 0;
  const stream = (label: string) => `${label}-${++n}`;
  let ten: string;

  before(async () => {
    store = await connectStore('read', { enableHardDeletes: true });
    ten = stream('ten');
    await store.appendToStream(ten, ExpectedVersion.NoStream, events(10));
  });
  after(() => disposeStore(store));

  describe('readStreamForward', () => {
    it('reads the whole stream in version order by default', async () => {
      const read = await store.readStreamForward(ten);
      expect(versions(read)).to.deep.equal(range(1, 10));
      expect(numbers(read)).to.deep.equal(range(1, 10));
      expect(read.map((e) => (e.data as { n: number }).n)).to.deep.equal(range(1, 10));
    });

    it('treats 0 and 1 both as the beginning', async () => {
      expect(versions(await store.readStreamForward(ten, 0))).to.deep.equal(range(1, 10));
      expect(versions(await store.readStreamForward(ten, 1))).to.deep.equal(range(1, 10));
    });

    it('starts at the given version, inclusive, and reads at most count events', async () => {
      expect(versions(await store.readStreamForward(ten, 5))).to.deep.equal(range(5, 10));
      expect(versions(await store.readStreamForward(ten, 5, 3))).to.deep.equal([5, 6, 7]);
      expect(versions(await store.readStreamForward(ten, 10, 3))).to.deep.equal([10]);
      expect(versions(await store.readStreamForward(ten, 0, 1))).to.deep.equal([1]);
    });

    it('returns [] when reading past the end', async () => {
      expect(await store.readStreamForward(ten, 11)).to.deep.equal([]);
      expect(await store.readStreamForward(ten, 1_000_000, 5)).to.deep.equal([]);
    });

    it('reads 1000 events by default', async () => {
      const id = stream('big');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(1001));
      const read = await store.readStreamForward(id);
      expect(read).to.have.length(1000);
      expect(read[999].streamVersion).to.equal(1000);
      expect(versions(await store.readStreamForward(id, 1000))).to.deep.equal([1000, 1001]);
    });

    it('gives each event its $all position', async () => {
      const read = await store.readStreamForward(ten);
      const all = await store.readAllForward(0, 10_000);
      const byId = new Map(all.map((e) => [e.eventId, e.position]));
      expect(read.map((e) => e.position)).to.deep.equal(read.map((e) => byId.get(e.eventId)));
    });
  });

  describe('readStreamBackward', () => {
    it('reads from the end by default (-1), newest first', async () => {
      expect(versions(await store.readStreamBackward(ten))).to.deep.equal(range(1, 10).reverse());
      expect(versions(await store.readStreamBackward(ten, -1, 3))).to.deep.equal([10, 9, 8]);
      expect(numbers(await store.readStreamBackward(ten, -1, 2))).to.deep.equal([10, 9]);
    });

    it('starts at the given version, inclusive', async () => {
      expect(versions(await store.readStreamBackward(ten, 4))).to.deep.equal([4, 3, 2, 1]);
      expect(versions(await store.readStreamBackward(ten, 4, 2))).to.deep.equal([4, 3]);
      expect(versions(await store.readStreamBackward(ten, 1))).to.deep.equal([1]);
    });

    it('starting past the end reads from the end; starting at 0 reads nothing', async () => {
      expect(versions(await store.readStreamBackward(ten, 50, 2))).to.deep.equal([10, 9]);
      expect(await store.readStreamBackward(ten, 0)).to.deep.equal([]);
    });

    it('reads 1000 events by default', async () => {
      const id = stream('big');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(1001));
      const read = await store.readStreamBackward(id);
      expect(read).to.have.length(1000);
      expect([read[0].streamVersion, read[999].streamVersion]).to.deep.equal([1001, 2]);
    });
  });

  describe('unknown and deleted streams', () => {
    it('fails with StreamNotFoundError for an unknown stream', async () => {
      const id = stream('unknown');
      for (const read of [() => store.readStreamForward(id), () => store.readStreamBackward(id)]) {
        const error = await caught(read);
        expect(error).to.be.instanceOf(StreamNotFoundError);
        expect(error).to.include({ code: 'stream_not_found', streamId: id });
      }
    });

    it('fails with StreamDeletedError for a soft-deleted stream', async () => {
      const id = stream('deleted');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
      await store.deleteStream(id, 2);
      for (const read of [() => store.readStreamForward(id), () => store.readStreamBackward(id), () => store.readStreamForward(id, 100)]) {
        const error = await caught(read);
        expect(error).to.be.instanceOf(StreamDeletedError);
        expect(error).to.include({ code: 'stream_deleted', streamId: id });
      }
    });
  });

  it('reads a stream that mixes its own events and links in version order, forward and backward', async () => {
    const other = stream('other');
    await store.appendToStream(other, ExpectedVersion.NoStream, events(3, 'Other'));
    const [o1, o2, o3] = await store.readStreamForward(other);
    const mixed = stream('mixed');
    await store.appendToStream(mixed, ExpectedVersion.NoStream, events(2, 'Own'));
    await store.linkToStream(mixed, 2, [o2.eventId]);
    await store.appendToStream(mixed, 3, events(1, 'Own', 3));
    await store.linkToStream(mixed, 4, [o1.eventId, o3.eventId]);
    await store.appendToStream(mixed, 6, events(1, 'Own', 4));

    const read = await store.readStreamForward(mixed);
    expect(numbers(read)).to.deep.equal(range(1, 7));
    expect(read.map((e) => e.eventType)).to.deep.equal(['Own', 'Own', 'Other', 'Own', 'Other', 'Other', 'Own']);
    expect(read.map((e) => e.streamId)).to.deep.equal([mixed, mixed, other, mixed, other, other, mixed]);
    expect(versions(read)).to.deep.equal([1, 2, 2, 4, 1, 3, 7]);

    expect(numbers(await store.readStreamForward(mixed, 3, 3))).to.deep.equal([3, 4, 5]);
    expect(numbers(await store.readStreamBackward(mixed))).to.deep.equal(range(1, 7).reverse());
    expect(numbers(await store.readStreamBackward(mixed, 6, 3))).to.deep.equal([6, 5, 4]);
  });

  describe('streamForward', () => {
    it('yields every event in order, reading pages of batchSize', async () => {
      const id = stream('paged');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(2500));
      const pages: Array<[number, number | undefined]> = [];
      const stop = await observeReads(store, 'readStreamForward', ([streamId, start, count]) => {
        if (streamId === id) pages.push([start ?? 0, count]);
      });
      let read: RecordedEvent[] = [];
      try {
        for await (const event of store.streamForward(id, 0, { batchSize: 1000 })) read.push(event);
      } finally {
        stop();
      }
      expect(versions(read)).to.deep.equal(range(1, 2500));
      expect(pages).to.deep.equal([[1, 1000], [1001, 1000], [2001, 1000]]);

      read = [];
      for await (const event of store.streamForward(id, 2400, { batchSize: 30 })) read.push(event);
      expect(versions(read)).to.deep.equal(range(2400, 2500));
    });

    it('reads one more, empty page when the stream ends on a page boundary, and stops', async () => {
      let calls = 0;
      const stop = await observeReads(store, 'readStreamForward', () => calls++);
      const read: RecordedEvent[] = [];
      try {
        for await (const event of store.streamForward(ten, 0, { batchSize: 5 })) read.push(event);
      } finally {
        stop();
      }
      expect(versions(read)).to.deep.equal(range(1, 10));
      expect(calls).to.equal(3);
    });

    it('uses pages of 1000 by default and streams $all with streamAllForward', async () => {
      const viaIterator: RecordedEvent[] = [];
      for await (const event of store.streamForward(ten)) viaIterator.push(event);
      expect(versions(viaIterator)).to.deep.equal(range(1, 10));

      const all: RecordedEvent[] = [];
      for await (const event of store.streamAllForward(0, { batchSize: 333 })) all.push(event);
      expect(all).to.deep.equal(await store.readAllForward(0, 100_000));
      expect(all.map((e) => e.position)).to.deep.equal(range(1, all.length));
    });

    it('checks its arguments when called, before any iteration', () => {
      for (const batchSize of [0, -1, 1.5, NaN, '10', Infinity]) {
        const error = (() => {
          try {
            store.streamForward(ten, 0, { batchSize: batchSize as number });
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error, `batchSize ${String(batchSize)}`).to.be.instanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).argument).to.equal('options.batchSize');
        expect((error as Error).message).to.contain('batchSize');
      }
      expect(() => store.streamForward('', 0)).to.throw(InvalidArgumentError, /streamId/);
      expect(() => store.streamForward(ten, -1)).to.throw(InvalidArgumentError, /startVersion/);
      expect(() => store.streamAllForward(0, { batchSize: 0 })).to.throw(InvalidArgumentError, /batchSize/);
    });

    it('fails on iteration with StreamNotFoundError for an unknown stream', async () => {
      const iterator = store.streamForward(stream('unknown'))[Symbol.asyncIterator]();
      expect(await caught(iterator.next())).to.be.instanceOf(StreamNotFoundError);
    });
  });

  describe('streamInfo', () => {
    it('gives the version and creation time of a stream', async () => {
      const id = stream('info');
      const before = Date.now();
      await store.appendToStream(id, ExpectedVersion.NoStream, events(4));
      const info = await store.streamInfo(id);
      expect(info).to.include({ streamId: id, streamVersion: 4 });
      expect(info.createdAt).to.be.instanceOf(Date);
      expect(info.createdAt.getTime()).to.be.within(before - 5000, Date.now() + 5000);
      expect(info.deletedAt).to.equal(undefined);
    });

    it('still answers for a soft-deleted stream, with deletedAt', async () => {
      const id = stream('info');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
      await store.deleteStream(id, 2);
      const info = await store.streamInfo(id);
      expect(info).to.include({ streamId: id, streamVersion: 2 });
      expect(info.deletedAt).to.be.instanceOf(Date);
      expect(info.deletedAt!.getTime()).to.be.at.least(info.createdAt.getTime());
    });

    it('fails with StreamNotFoundError for an unknown stream', async () => {
      expect(await caught(store.streamInfo(stream('unknown')))).to.be.instanceOf(StreamNotFoundError);
    });

    it('gives the last $all position for $all', async () => {
      const all = await store.readAllBackward(-1, 1);
      const info = await store.streamInfo('$all');
      expect(info.streamId).to.equal('$all');
      expect(info.streamVersion).to.equal(all[0].position);
      await store.appendToStream(stream('more'), ExpectedVersion.Any, events(3));
      expect((await store.streamInfo('$all')).streamVersion).to.equal(all[0].position + 3);
    });
  });

  describe('paginateStreams', () => {
    let page: EventStore;
    const ids = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', '100%', 'a_b', 'axb', 'Alpha'];

    before(async () => {
      page = await connectStore('paginate', { enableHardDeletes: true });
      for (const [i, id] of ids.entries()) {
        await page.appendToStream(id, ExpectedVersion.NoStream, events(i + 1));
      }
      await page.deleteStream('delta', 4);
      await page.appendToStream('gone', ExpectedVersion.NoStream, events(1));
      await page.deleteStream('gone', 1, { hard: true });
    });
    after(() => disposeStore(page));

    const idsOf = (p: StreamPage) => p.entries.map((e) => e.streamId);

    it('lists streams 50 to a page by default, sorted by stream id', async () => {
      const all = await page.paginateStreams();
      expect(all).to.include({ pageNumber: 1, pageSize: 50, totalEntries: 9, totalPages: 1 });
      expect(idsOf(all)).to.deep.equal([...ids].sort(byCodePoint));
    });

    it('lists soft-deleted streams with status deleted and leaves hard-deleted streams out', async () => {
      const { entries } = await page.paginateStreams();
      const delta = entries.find((e) => e.streamId === 'delta')!;
      expect(delta.status).to.equal('deleted');
      expect(delta.deletedAt).to.be.instanceOf(Date);
      expect(delta.streamVersion).to.equal(4);
      expect(entries.filter((e) => e.streamId !== 'delta').every((e) => e.status === 'created' && e.deletedAt === undefined)).to.equal(true);
      expect(idsOf(await page.paginateStreams())).not.to.include('gone');
    });

    it('splits into pages and counts entries and pages', async () => {
      const sorted = [...ids].sort(byCodePoint);
      const first = await page.paginateStreams({ pageSize: 4 });
      const third = await page.paginateStreams({ page: 3, pageSize: 4 });
      const beyond = await page.paginateStreams({ page: 4, pageSize: 4 });
      expect(first).to.include({ pageNumber: 1, pageSize: 4, totalEntries: 9, totalPages: 3 });
      expect(idsOf(first)).to.deep.equal(sorted.slice(0, 4));
      expect(idsOf(await page.paginateStreams({ page: 2, pageSize: 4 }))).to.deep.equal(sorted.slice(4, 8));
      expect(idsOf(third)).to.deep.equal(sorted.slice(8));
      expect(beyond).to.include({ pageNumber: 4, totalEntries: 9, totalPages: 3 });
      expect(beyond.entries).to.deep.equal([]);
    });

    it('searches a case-sensitive substring of the stream id, taking % and _ literally', async () => {
      expect(idsOf(await page.paginateStreams({ search: 'lph' }))).to.deep.equal(['Alpha', 'alpha']);
      expect(idsOf(await page.paginateStreams({ search: 'Al' }))).to.deep.equal(['Alpha']);
      expect(idsOf(await page.paginateStreams({ search: '%' }))).to.deep.equal(['100%']);
      expect(idsOf(await page.paginateStreams({ search: '_' }))).to.deep.equal(['a_b']);
      expect(idsOf(await page.paginateStreams({ search: 'a_' }))).to.deep.equal(['a_b']);
      const none = await page.paginateStreams({ search: 'zzz' });
      expect(none).to.include({ totalEntries: 0 });
      expect(none.entries).to.deep.equal([]);
      expect(await page.paginateStreams({ search: 'e', pageSize: 2 })).to.include({ totalEntries: 3, totalPages: 2 });
    });

    it('sorts by each column, in both directions', async () => {
      const { entries } = await page.paginateStreams();
      const sortedBy = (key: 'streamId' | 'streamVersion' | 'createdAt' | 'deletedAt') => async (direction: 'asc' | 'desc') =>
        (await page.paginateStreams({ sortBy: key, sortDirection: direction })).entries;

      const byVersionAsc = await sortedBy('streamVersion')('asc');
      expect(byVersionAsc.map((e) => e.streamVersion)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const byVersionDesc = await sortedBy('streamVersion')('desc');
      expect(byVersionDesc.map((e) => e.streamVersion)).to.deep.equal([9, 8, 7, 6, 5, 4, 3, 2, 1]);

      expect(idsOf({ entries: await sortedBy('streamId')('desc') } as StreamPage)).to.deep.equal([...ids].sort(byCodePoint).reverse());

      const byCreatedAsc = await sortedBy('createdAt')('asc');
      expect(byCreatedAsc.map((e) => e.streamId)).to.deep.equal(ids);
      expect(byCreatedAsc.map((e) => e.createdAt.getTime())).to.deep.equal(entries.map((e) => e.createdAt.getTime()).sort((a, b) => a - b));
      expect((await sortedBy('createdAt')('desc')).map((e) => e.streamId)).to.deep.equal([...ids].reverse());

      // Deleted streams sort by their deletion time; the others (no deletedAt) come last.
      expect((await sortedBy('deletedAt')('asc'))[0].streamId).to.equal('delta');
      expect((await sortedBy('deletedAt')('desc'))[0].streamId).to.equal('delta');
    });

    it('refuses bad options with InvalidArgumentError naming the option', async () => {
      const bad: Array<[string, unknown]> = [
        ['options.page', { page: 0 }],
        ['options.page', { page: -1 }],
        ['options.page', { page: 1.5 }],
        ['options.page', { page: '2' }],
        ['options.pageSize', { pageSize: 0 }],
        ['options.pageSize', { pageSize: NaN }],
        ['options.pageSize', { pageSize: 10_001 }],
        ['options.search', { search: 5 }],
        ['options.search', { search: 'a\u0000b' }],
        ['options.sortBy', { sortBy: 'version' }],
        ['options.sortBy', { sortBy: 'constructor' }],
        ['options.sortBy', { sortBy: 'toString' }],
        ['options.sortDirection', { sortDirection: 'up' }],
        ['options.page', { page: Number.MAX_SAFE_INTEGER, pageSize: 10_000 }],
        ['options', 'all'],
      ];
      for (const [argument, options] of bad) {
        const error = await caught(page.paginateStreams(options as never));
        expect(error, JSON.stringify(options)).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument, JSON.stringify(options)).to.equal(argument);
        expect(error.message).to.contain(argument);
      }
    });
  });
});

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
