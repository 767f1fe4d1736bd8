import { expect } from 'chai';
import {
  EventNotFoundError,
  EventStore,
  ExpectedVersion,
  NotSupportedError,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import type { RecordedEvent } from '../../src';
import { observeStatements } from '../support/store-probe';
import { caught, connectStore, disposeStore, events, tableCounts, withClient } from '../support/stores';
import { TableCounter } from '../support/table-counts';
import { waitForLockWaiters } from './helpers';

const label = (e: RecordedEvent) => `${e.streamId}${(e.data as { n: number }).n}`;

describe('deleteStream', () => {
  let store: EventStore;
  let n = 0;
  const stream = (name: string) => `${name}-${++n}`;

  let counter: TableCounter;

  before(async () => {
    store = await connectStore('delete');
    counter = await TableCounter.open(store.schema);
  });
  after(async () => {
    await counter?.close();
    await disposeStore(store);
  });

  /** Runs `attempt`, checks that it wrote nothing and returns its error. */
  async function refused(attempt: () => Promise<unknown>, on = store): Promise<any> {
    const counts = () => (on === store ? counter.counts() : tableCounts(on.schema));
    const before = await counts();
    const error = await caught(attempt);
    expect(await counts()).to.deep.equal(before);
    return error;
  }

  describe('soft delete', () => {
    let id: string;
    let appended: RecordedEvent[];

    beforeEach(async () => {
      id = stream('soft');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
      appended = await store.readStreamForward(id);
      await store.deleteStream(id, 3);
    });

    it('makes reads of the stream fail with StreamDeletedError', async () => {
      expect(await caught(store.readStreamForward(id))).to.be.instanceOf(StreamDeletedError);
      expect(await caught(store.readStreamBackward(id))).to.be.instanceOf(StreamDeletedError);
      expect(await caught(store.streamForward(id)[Symbol.asyncIterator]().next())).to.be.instanceOf(StreamDeletedError);
    });

    it('leaves streamInfo answering, with deletedAt', async () => {
      const info = await store.streamInfo(id);
      expect(info).to.include({ streamId: id, streamVersion: 3 });
      expect(info.deletedAt).to.be.instanceOf(Date);
    });

    it('keeps the events in $all', async () => {
      const all = await store.readAllForward(0, 100_000);
      const ids = new Set(all.map((e) => e.eventId));
      expect(appended.every((e) => ids.has(e.eventId))).to.equal(true);
      expect(all.filter((e) => e.streamId === id).map((e) => e.streamVersion)).to.deep.equal([1, 2, 3]);
    });

    it('refuses appends with StreamDeletedError, whatever the expected version', async () => {
      for (const expected of [ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.StreamExists, 0, 3]) {
        const error = await refused(() => store.appendToStream(id, expected, events(1)));
        expect(error, String(expected)).to.be.instanceOf(StreamDeletedError);
        expect(error.code).to.equal('stream_deleted');
      }
    });

    it('refuses a second delete with StreamDeletedError', async () => {
      expect(await refused(() => store.deleteStream(id, 3))).to.be.instanceOf(StreamDeletedError);
      expect(await refused(() => store.deleteStream(id, ExpectedVersion.Any))).to.be.instanceOf(StreamDeletedError);
    });
  });

  describe('expected versions', () => {
    let id: string;
    beforeEach(async () => {
      id = stream('expected');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
    });

    it('refuses a wrong version with WrongExpectedVersionError and deletes nothing', async () => {
      for (const expected of [0, 1, 3]) {
        const error = await refused(() => store.deleteStream(id, expected));
        expect(error).to.be.instanceOf(WrongExpectedVersionError);
        expect(error).to.include({ expectedVersion: expected, actualVersion: 2 });
      }
      expect(await refused(() => store.deleteStream(id, ExpectedVersion.NoStream))).to.be.instanceOf(StreamExistsError);
      expect((await store.streamInfo(id)).deletedAt).to.equal(undefined);
    });

    it('refuses an unknown stream with StreamNotFoundError, whatever the expected version', async () => {
      for (const expected of [ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.StreamExists, 0, 1]) {
        expect(await refused(() => store.deleteStream(stream('unknown'), expected)), String(expected)).to.be.instanceOf(StreamNotFoundError);
      }
    });

    for (const [name, expected] of [['the current version', 2], ['Any', ExpectedVersion.Any], ['StreamExists', ExpectedVersion.StreamExists]] as const) {
      it(`deletes with ${name}`, async () => {
        await store.deleteStream(id, expected);
        expect((await store.streamInfo(id)).deletedAt).to.be.instanceOf(Date);
      });
    }
  });

  it('refuses a hard delete with NotSupportedError unless hard deletes are enabled, and writes nothing', async () => {
    const id = stream('hard');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
    const error = await refused(() => store.deleteStream(id, 2, { hard: true }));
    expect(error).to.be.instanceOf(NotSupportedError);
    expect(error.code).to.equal('not_supported');
    expect(error.message).to.contain('enableHardDeletes');
    expect(await store.readStreamForward(id)).to.have.length(2);
  });

  describe('hard delete (enableHardDeletes: true)', () => {
    let hard: EventStore;

    before(async () => {
      hard = await connectStore('hard_delete', { enableHardDeletes: true });
    });
    after(() => disposeStore(hard));

    it('removes the stream and its events from $all; $all reads step over the gap without a short page', async () => {
      await hard.appendToStream('A', ExpectedVersion.NoStream, events(3));
      await hard.appendToStream('B', ExpectedVersion.NoStream, events(3));
      await hard.appendToStream('C', ExpectedVersion.NoStream, events(3));
      const before = await tableCounts(hard.schema);

      await hard.deleteStream('B', 3, { hard: true });

      expect(await caught(hard.streamInfo('B'))).to.be.instanceOf(StreamNotFoundError);
      expect(await caught(hard.readStreamForward('B'))).to.be.instanceOf(StreamNotFoundError);
      const after = await tableCounts(hard.schema);
      expect(after).to.include({ streams: before.streams - 1, events: before.events - 3 });

      const page = await hard.readAllForward(0, 4);
      expect(page.map(label)).to.deep.equal(['A1', 'A2', 'A3', 'C1']);
      expect(page.map((e) => e.position)).to.deep.equal([1, 2, 3, 7]);
      expect((await hard.readAllForward(4, 2)).map(label)).to.deep.equal(['C1', 'C2']);
      expect((await hard.readAllForward(5, 1)).map(label)).to.deep.equal(['C1']);
      expect((await hard.readAllBackward(-1, 4)).map(label)).to.deep.equal(['C3', 'C2', 'C1', 'A3']);
      expect((await hard.readAllBackward(6, 2)).map(label)).to.deep.equal(['A3', 'A2']);
      const streamed: string[] = [];
      for await (const event of hard.streamAllForward(0, { batchSize: 2 })) streamed.push(label(event));
      expect(streamed).to.deep.equal(['A1', 'A2', 'A3', 'C1', 'C2', 'C3']);
    });

    it('steps over the gap of a stream appended to many times in one step, forward and backward', async () => {
      await hard.appendToStream('before-gap', ExpectedVersion.NoStream, events(1));
      const start = (await hard.streamInfo('$all')).streamVersion;
      for (let i = 0; i < 60; i++) await hard.appendToStream('gap', ExpectedVersion.Any, events(1));
      await hard.appendToStream('after-gap', ExpectedVersion.NoStream, events(1));
      await hard.deleteStream('gap', 60, { hard: true });

      let queries = 0;
      const stop = await observeStatements(hard, () => queries++);
      try {
        expect((await hard.readAllForward(start, 2)).map(label)).to.deep.equal(['before-gap1', 'after-gap1']);
        expect(queries).to.equal(2);
        queries = 0;
        expect((await hard.readAllBackward(start + 61, 2)).map(label)).to.deep.equal(['after-gap1', 'before-gap1']);
        expect(queries).to.equal(2);
      } finally {
        stop();
      }
    });

    it('removes links to its events from other streams, and links held by it', async () => {
      await hard.appendToStream('source', ExpectedVersion.NoStream, events(2));
      await hard.appendToStream('other', ExpectedVersion.NoStream, events(2));
      const source = await hard.readStreamForward('source');
      const other = await hard.readStreamForward('other');
      await hard.linkToStream('index', ExpectedVersion.NoStream, [other[0].eventId, source[0].eventId, other[1].eventId, source[1].eventId]);
      // The stream to delete also holds a link to an event of another stream.
      await hard.linkToStream('source', 2, [other[0].eventId]);

      await hard.deleteStream('source', 3, { hard: true });

      const index = await hard.readStreamForward('index');
      expect(index.map((e) => e.eventId)).to.deep.equal([other[0].eventId, other[1].eventId]);
      expect(index.map((e) => e.eventNumber)).to.deep.equal([1, 3]);
      // The linking stream keeps its version; the linked event itself stays.
      expect((await hard.streamInfo('index')).streamVersion).to.equal(4);
      expect((await hard.readStreamForward('other')).map((e) => e.eventId)).to.deep.equal(other.map((e) => e.eventId));
    });

    describe('racing a link of its events', () => {
      /** Links rows whose event is gone. */
      const danglingLinks = () => withClient(async (c) => (await c.query(
        `select count(*)::int as n from "${hard.schema}".stream_links l
         where not exists (select 1 from "${hard.schema}".events e where e.event_id = l.event_id)`)).rows[0].n);

      it('waits for a link still in an open transaction, then removes that link too', async () => {
        await hard.appendToStream('raced-source', ExpectedVersion.NoStream, events(2));
        const toLink = await hard.readStreamForward('raced-source');
        const em = hard.orm.em.fork();
        await em.begin();
        let deleting: Promise<unknown>;
        try {
          await hard.linkToStream('raced-index', ExpectedVersion.Any, toLink, { em });
          deleting = hard.deleteStream('raced-source', 2, { hard: true }).catch((e) => e);
          await waitForLockWaiters(`"${hard.schema}".es_delete(`, 1);
        } finally {
          await em.commit();
        }
        expect(await deleting).to.equal(undefined);
        expect(await hard.readStreamForward('raced-index')).to.deep.equal([]);
        expect(await danglingLinks()).to.equal(0);
      });

      it('makes a link that waits on it fail with EventNotFoundError', async () => {
        await hard.appendToStream('raced-source-2', ExpectedVersion.NoStream, events(1));
        const toLink = await hard.readStreamForward('raced-source-2');
        const em = hard.orm.em.fork();
        await em.begin();
        let linking: Promise<unknown>;
        try {
          await hard.deleteStream('raced-source-2', 1, { hard: true, em });
          linking = hard.linkToStream('raced-index-2', ExpectedVersion.Any, toLink).catch((e) => e);
          await waitForLockWaiters(`"${hard.schema}".es_link(`, 1);
        } finally {
          await em.commit();
        }
        expect(await linking).to.be.instanceOf(EventNotFoundError);
        expect(await caught(hard.streamInfo('raced-index-2'))).to.be.instanceOf(StreamNotFoundError);
        expect(await danglingLinks()).to.equal(0);
      });
    });

    it('lets the stream id start again at version 1', async () => {
      await hard.appendToStream('again', ExpectedVersion.NoStream, events(3));
      await hard.deleteStream('again', ExpectedVersion.Any, { hard: true });
      expect(await hard.appendToStream('again', ExpectedVersion.NoStream, events(1, 'New'))).to.include({ streamVersion: 1 });
      const read = await hard.readStreamForward('again');
      expect(read.map((e) => [e.streamVersion, e.eventType])).to.deep.equal([[1, 'New']]);
      expect((await hard.readAllBackward(-1, 1))[0].eventId).to.equal(read[0].eventId);
    });

    it('checks the expected version first and writes nothing when refused', async () => {
      await hard.appendToStream('checked', ExpectedVersion.NoStream, events(2));
      const error = await refused(() => hard.deleteStream('checked', 1, { hard: true }), hard);
      expect(error).to.be.instanceOf(WrongExpectedVersionError);
      expect(await refused(() => hard.deleteStream('nothing-here', ExpectedVersion.Any, { hard: true }), hard))
        .to.be.instanceOf(StreamNotFoundError);
      await hard.deleteStream('checked', 2);
      expect(await refused(() => hard.deleteStream('checked', 2, { hard: true }), hard)).to.be.instanceOf(StreamDeletedError);
    });
  });
});
