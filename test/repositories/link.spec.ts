import { expect } from 'chai';
import {
  DuplicateEventError,
  EventNotFoundError,
  EventStore,
  ExpectedVersion,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import type { RecordedEvent } from '../../src';
import { caught, connectStore, disposeStore, events, withClient } from '../support/stores';
import { TableCounter } from '../support/table-counts';
import { outcomes, waitForLockWaiters } from './helpers';

describe('linkToStream', () => {
  let store: EventStore;
  let n = 0;
  const stream = (label: string) => `${label}-${++n}`;

  /** Appends `count` events to a new stream and returns them as read back. */
  async function source(count: number, label = 'source'): Promise<RecordedEvent[]> {
    const id = stream(label);
    await store.appendToStream(id, ExpectedVersion.NoStream, events(count, `${label}Event`));
    return store.readStreamForward(id);
  }

  let counter: TableCounter;
  const tableCounts = () => counter.counts();

  before(async () => {
    store = await connectStore('link');
    counter = await TableCounter.open(store.schema);
  });
  after(async () => {
    await counter?.close();
    await disposeStore(store);
  });

  it('numbers linked events by their place in the linked stream and keeps their original stream and version', async () => {
    const a = await source(3, 'a');
    const b = await source(2, 'b');
    const target = stream('target');

    const result = await store.linkToStream(target, ExpectedVersion.NoStream, [a[1].eventId, b[0].eventId, a[2].eventId]);

    expect(result).to.deep.equal({ streamVersion: 3, position: null });
    const linked = await store.readStreamForward(target);
    expect(linked.map((e) => e.eventNumber)).to.deep.equal([1, 2, 3]);
    expect(linked.map((e) => e.eventId)).to.deep.equal([a[1].eventId, b[0].eventId, a[2].eventId]);
    expect(linked.map((e) => e.streamId)).to.deep.equal([a[0].streamId, b[0].streamId, a[0].streamId]);
    expect(linked.map((e) => e.streamVersion)).to.deep.equal([2, 1, 3]);
    expect(linked.map((e) => e.position)).to.deep.equal([a[1].position, b[0].position, a[2].position]);
    expect(linked[0].position).to.be.greaterThan(0);
    expect(linked[1]).to.deep.include({ eventType: b[0].eventType, data: b[0].data, metadata: b[0].metadata });
    expect(await store.streamInfo(target)).to.include({ streamId: target, streamVersion: 3 });
  });

  it('links recorded events as read back, not only ids', async () => {
    const a = await source(2);
    const target = stream('target');
    await store.linkToStream(target, ExpectedVersion.Any, a);
    const linked = await store.readStreamForward(target);
    expect(linked.map((e) => e.eventId)).to.deep.equal(a.map((e) => e.eventId));
    expect(linked.map((e) => e.streamId)).to.deep.equal([a[0].streamId, a[0].streamId]);
  });

  it('accepts event ids in upper case', async () => {
    const [event] = await source(1);
    const target = stream('target');
    await store.linkToStream(target, ExpectedVersion.Any, [event.eventId.toUpperCase()]);
    expect((await store.readStreamForward(target)).map((e) => e.eventId)).to.deep.equal([event.eventId]);
  });

  it('links an event into several streams', async () => {
    const [event] = await source(1);
    const first = stream('target');
    const second = stream('target');
    await store.linkToStream(first, ExpectedVersion.Any, [event.eventId]);
    await store.linkToStream(second, ExpectedVersion.Any, [event.eventId]);
    expect((await store.readStreamForward(first))[0].eventId).to.equal(event.eventId);
    expect((await store.readStreamForward(second))[0].eventId).to.equal(event.eventId);
  });

  it('does not add linked events to $all again', async () => {
    const a = await source(3);
    const lastBefore = (await store.streamInfo('$all')).streamVersion;
    const allBefore = await store.readAllForward(0, 10_000);
    const countsBefore = await tableCounts();

    await store.linkToStream(stream('target'), ExpectedVersion.Any, a);

    expect((await store.streamInfo('$all')).streamVersion).to.equal(lastBefore);
    expect(await store.readAllForward(0, 10_000)).to.deep.equal(allBefore);
    const countsAfter = await tableCounts();
    expect(countsAfter).to.deep.equal({ ...countsBefore, streams: countsBefore.streams + 1, stream_links: countsBefore.stream_links + 3 });
  });

  describe('refusals (each writes nothing)', () => {
    /** Runs `attempt`, checks that it wrote nothing and returns its error. */
    async function refused(attempt: () => Promise<unknown>): Promise<any> {
      const before = await tableCounts();
      const error = await caught(attempt);
      expect(await tableCounts()).to.deep.equal(before);
      return error;
    }

    it('refuses to link an event a second time into the same stream with DuplicateEventError', async () => {
      const a = await source(2);
      const target = stream('target');
      await store.linkToStream(target, ExpectedVersion.Any, [a[0].eventId]);
      const error = await refused(() => store.linkToStream(target, ExpectedVersion.Any, [a[1].eventId, a[0].eventId]));
      expect(error).to.be.instanceOf(DuplicateEventError);
      expect(error.code).to.equal('duplicate_event');
      expect(await store.readStreamForward(target)).to.have.length(1);
    });

    it('refuses to link an event into its own stream with DuplicateEventError', async () => {
      const a = await source(2);
      const error = await refused(() => store.linkToStream(a[0].streamId, ExpectedVersion.Any, [a[0].eventId]));
      expect(error).to.be.instanceOf(DuplicateEventError);
    });

    it('refuses the same event twice in one call with DuplicateEventError', async () => {
      const [event] = await source(1);
      const error = await refused(() => store.linkToStream(stream('target'), ExpectedVersion.Any, [event.eventId, event]));
      expect(error).to.be.instanceOf(DuplicateEventError);
    });

    it('refuses unknown event ids with EventNotFoundError naming only the missing ids, and creates no stream', async () => {
      const [event] = await source(1);
      const missing = ['0190f5e4-8a6b-7c1d-9e2f-000000000001', '0190f5e4-8a6b-7c1d-9e2f-000000000002'];
      const target = stream('target');
      const error = await refused(() => store.linkToStream(target, ExpectedVersion.Any, [missing[0], event.eventId, missing[1]]));
      expect(error).to.be.instanceOf(EventNotFoundError);
      expect(error.code).to.equal('event_not_found');
      expect(error.eventIds).to.deep.equal(missing);
      expect(error.message).to.contain(missing[0]).and.to.contain(missing[1]).and.not.to.contain(event.eventId);
      expect(await caught(store.streamInfo(target))).to.be.instanceOf(StreamNotFoundError);
    });

    it('refuses to link into a soft-deleted stream with StreamDeletedError, for every expected version', async () => {
      const a = await source(2);
      const target = stream('target');
      await store.linkToStream(target, ExpectedVersion.Any, [a[0].eventId]);
      await store.deleteStream(target, 1);
      for (const expected of [ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.StreamExists, 0, 1, 2]) {
        expect(await refused(() => store.linkToStream(target, expected, [a[1].eventId]))).to.be.instanceOf(StreamDeletedError);
        // Also for an event already in the deleted stream, and for an unknown event.
        expect(await refused(() => store.linkToStream(target, expected, [a[0].eventId]))).to.be.instanceOf(StreamDeletedError);
        expect(await refused(() => store.linkToStream(target, expected, ['0190f5e4-8a6b-7c1d-9e2f-000000000003'])))
          .to.be.instanceOf(StreamDeletedError);
      }
    });

    it('refuses a link into the own, soft-deleted stream with StreamDeletedError', async () => {
      const a = await source(2);
      await store.deleteStream(a[0].streamId, 2);
      expect(await refused(() => store.linkToStream(a[0].streamId, ExpectedVersion.Any, [a[0].eventId])))
        .to.be.instanceOf(StreamDeletedError);
    });
  });

  /** The expected-version rules of appendToStream apply to links too. */
  describe('expected versions', () => {
    let events3: RecordedEvent[];
    beforeEach(async () => {
      events3 = await source(3);
    });

    /** A target stream at version 2, made of links. */
    async function targetAtVersion2(): Promise<string> {
      const id = stream('target');
      await store.linkToStream(id, ExpectedVersion.NoStream, [events3[0].eventId, events3[1].eventId]);
      return id;
    }

    it('Any: links into a new and into an existing stream', async () => {
      const id = stream('target');
      expect(await store.linkToStream(id, ExpectedVersion.Any, [events3[0].eventId])).to.deep.equal({ streamVersion: 1, position: null });
      expect(await store.linkToStream(id, ExpectedVersion.Any, [events3[1].eventId])).to.deep.equal({ streamVersion: 2, position: null });
    });

    it('NoStream: creates the stream, and fails with StreamExistsError once it has events', async () => {
      const id = await targetAtVersion2();
      const before = await tableCounts();
      const error = await caught(store.linkToStream(id, ExpectedVersion.NoStream, [events3[2].eventId]));
      expect(error).to.be.instanceOf(StreamExistsError);
      expect(await tableCounts()).to.deep.equal(before);
    });

    it('StreamExists: fails with StreamNotFoundError for a new stream, links into an existing one', async () => {
      const fresh = stream('target');
      expect(await caught(store.linkToStream(fresh, ExpectedVersion.StreamExists, [events3[2].eventId]))).to.be.instanceOf(StreamNotFoundError);
      expect(await caught(store.streamInfo(fresh))).to.be.instanceOf(StreamNotFoundError);
      const id = await targetAtVersion2();
      expect(await store.linkToStream(id, ExpectedVersion.StreamExists, [events3[2].eventId])).to.deep.equal({ streamVersion: 3, position: null });
    });

    it('exact: 0 creates the stream, the current version links, a stale or future version fails with WrongExpectedVersionError', async () => {
      const created = stream('target');
      expect(await store.linkToStream(created, 0, [events3[0].eventId])).to.deep.equal({ streamVersion: 1, position: null });

      const id = await targetAtVersion2();
      for (const expected of [0, 1, 3]) {
        const before = await tableCounts();
        const error = await caught(store.linkToStream(id, expected, [events3[2].eventId]));
        expect(error).to.be.instanceOf(WrongExpectedVersionError);
        expect(error).to.include({ expectedVersion: expected, actualVersion: 2 });
        expect(await tableCounts()).to.deep.equal(before);
      }
      expect(await store.linkToStream(id, 2, [events3[2].eventId])).to.deep.equal({ streamVersion: 3, position: null });
      expect(await caught(store.linkToStream(stream('target'), 1, [events3[0].eventId]))).to.be.instanceOf(WrongExpectedVersionError);
    });

    it('an empty link checks the expected version and writes nothing', async () => {
      const id = await targetAtVersion2();
      const before = await tableCounts();
      expect(await store.linkToStream(id, 2, [])).to.deep.equal({ streamVersion: 2, position: null });
      expect(await caught(store.linkToStream(id, 1, []))).to.be.instanceOf(WrongExpectedVersionError);
      expect(await tableCounts()).to.deep.equal(before);
    });
  });

  it('lets exactly one of 5 concurrent links of the same events into one stream succeed; the others get DuplicateEventError', async () => {
    const a = await source(3);
    const target = stream('target');
    // The target exists; a transaction of our own holds its row, so that all
    // five links are inside the database, waiting, before any of them runs.
    const [seed] = await source(1);
    await store.linkToStream(target, ExpectedVersion.NoStream, [seed.eventId]);
    const results = await withClient(async (blocker) => {
      await blocker.query('begin');
      await blocker.query(`select 1 from "${store.schema}".streams where stream_id = $1 for update`, [target]);
      const links = Array.from({ length: 5 }, () => store.linkToStream(target, ExpectedVersion.Any, a));
      const settled = Promise.allSettled(links);
      try {
        await waitForLockWaiters(`"${store.schema}".es_link(`, 5);
      } finally {
        await blocker.query('commit');
      }
      return settled;
    });
    const { ok, errors } = outcomes(results);
    expect(ok).to.deep.equal([{ streamVersion: 4, position: null }]);
    expect(errors).to.have.length(4);
    for (const error of errors) expect(error).to.be.instanceOf(DuplicateEventError);
    const linked = await store.readStreamForward(target);
    expect(linked.map((e) => e.eventNumber)).to.deep.equal([1, 2, 3, 4]);
    expect(linked.slice(1).map((e) => e.eventId)).to.deep.equal(a.map((e) => e.eventId));
  });
});
