import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import { caught, connectStore, disposeStore, events, tableCounts, withClient } from '../support/stores';

describe('appendToStream', () => {
  let store: EventStore;
  let n = 0;
  const stream = (label: string) => `${label}-${++n}`;

  before(async () => {
    store = await connectStore('append');
  });
  after(() => disposeStore(store));

  it('creates a stream at version 1 and returns the new version', async () => {
    const id = stream('new');
    const result = await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
    expect(result.streamVersion).to.equal(3);
    const read = await store.readStreamForward(id);
    expect(result.position).to.equal(read[2].position);
    expect(read.map((e) => e.streamVersion)).to.deep.equal([1, 2, 3]);
    expect(read.map((e) => e.eventNumber)).to.deep.equal([1, 2, 3]);
    expect(read.map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2, 3]);
    expect(read[0].metadata).to.deep.equal({ source: 'test' });
    expect(read[0].streamId).to.equal(id);
    expect(read[0].createdAt).to.be.instanceOf(Date);
  });

  it('keeps the given event id, causation and correlation ids', async () => {
    const id = stream('ids');
    const eventId = '0190f5e4-8a6b-7c1d-9e2f-3a4b5c6d7e8f';
    const causationId = '11111111-2222-4333-8444-555555555555';
    const correlationId = '66666666-7777-4888-9999-aaaaaaaaaaaa';
    await store.appendToStream(id, 0, [{ eventType: 'A', data: { x: 1 }, eventId, causationId, correlationId }]);
    const [event] = await store.readStreamForward(id);
    expect(event).to.include({ eventId, causationId, correlationId, eventType: 'A' });
    expect(event.metadata).to.equal(null);
  });

  it('generates distinct time-ordered event ids when none are given', async () => {
    const id = stream('gen');
    await store.appendToStream(id, ExpectedVersion.Any, events(5));
    const ids = (await store.readStreamForward(id)).map((e) => e.eventId);
    expect(new Set(ids).size).to.equal(5);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(ids[0][14]).to.equal('7');
  });

  it('appends several thousand events atomically in one call', async () => {
    const id = stream('big');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(5000));
    const info = await store.streamInfo(id);
    expect(info.streamVersion).to.equal(5000);
    const read = await store.readStreamForward(id, 4990, 100);
    expect(read.map((e) => e.streamVersion)).to.deep.equal([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
  });

  it('writes nothing of a batch when one event of it is rejected', async () => {
    const id = stream('atomic');
    const before = await tableCounts(store.schema);
    const batch = [...events(3000), { eventType: 'X', data: { n: 1 }, eventId: '0190f5e4-8a6b-7c1d-9e2f-3a4b5c6d7e8f' }];
    const error = await caught(store.appendToStream(id, ExpectedVersion.Any, batch));
    expect(error.code).to.equal('duplicate_event');
    expect(await tableCounts(store.schema)).to.deep.equal(before);
  });

  describe('an empty append', () => {
    it('checks the expected version, writes nothing and returns the current version', async () => {
      const id = stream('empty');
      const before = await tableCounts(store.schema);
      expect(await store.appendToStream(id, ExpectedVersion.NoStream, [])).to.deep.equal({ streamVersion: 0, position: null });
      expect(await tableCounts(store.schema)).to.deep.equal(before);
      await caught(store.streamInfo(id)).then((e) => expect(e).to.be.instanceOf(StreamNotFoundError));

      await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
      expect(await store.appendToStream(id, 2, [])).to.deep.equal({ streamVersion: 2, position: null });
      expect(await caught(store.appendToStream(id, 1, []))).to.be.instanceOf(WrongExpectedVersionError);
      expect(await caught(store.appendToStream(id, ExpectedVersion.NoStream, []))).to.be.instanceOf(StreamExistsError);
      expect(await caught(store.appendToStream(stream('none'), ExpectedVersion.StreamExists, []))).to.be.instanceOf(StreamNotFoundError);
    });
  });

  /**
   * The expected-version table of commanded/eventstore, cell by cell:
   * rows are the expected version, columns the state of the stream.
   */
  describe('expected version semantics (every cell of the reference table)', () => {
    type State = 'none' | 'v0' | 'v3' | 'deleted';
    type Outcome = 'ok' | typeof WrongExpectedVersionError | typeof StreamExistsError | typeof StreamNotFoundError | typeof StreamDeletedError;

    /** Creates a stream in the given state and returns its id. */
    async function streamIn(state: State): Promise<string> {
      const id = stream(state);
      if (state === 'v0') {
        // The reference can hold a stream row without events; this store
        // never creates one (an empty append or link writes nothing), so
        // the row is made by hand to check the rule anyway.
        await rowAtVersionZero(id);
      } else if (state === 'v3') {
        await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
      } else if (state === 'deleted') {
        await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
        await store.deleteStream(id, 3);
      }
      return id;
    }

    async function rowAtVersionZero(id: string): Promise<void> {
      await withClient((c) => c.query(`insert into "${store.schema}".streams (stream_id) values ($1)`, [id]));
    }

    const table: Array<[string, number | string, Record<State, Outcome>]> = [
      ['Any', ExpectedVersion.Any, { none: 'ok', v0: 'ok', v3: 'ok', deleted: StreamDeletedError }],
      ['NoStream', ExpectedVersion.NoStream, { none: 'ok', v0: 'ok', v3: StreamExistsError, deleted: StreamDeletedError }],
      ['StreamExists', ExpectedVersion.StreamExists, { none: StreamNotFoundError, v0: 'ok', v3: 'ok', deleted: StreamDeletedError }],
      ['0', 0, { none: 'ok', v0: 'ok', v3: WrongExpectedVersionError, deleted: StreamDeletedError }],
      ['3 (the current version)', 3, { none: WrongExpectedVersionError, v0: WrongExpectedVersionError, v3: 'ok', deleted: StreamDeletedError }],
      ['2 (a stale version)', 2, { none: WrongExpectedVersionError, v0: WrongExpectedVersionError, v3: WrongExpectedVersionError, deleted: StreamDeletedError }],
    ];

    for (const [label, expected, outcomes] of table) {
      for (const state of Object.keys(outcomes) as State[]) {
        const outcome = outcomes[state];
        const name = outcome === 'ok' ? 'appends' : `fails with ${outcome.name}`;
        it(`expected ${label}, stream ${state}: ${name}`, async () => {
          const id = await streamIn(state);
          const versionBefore = { none: 0, v0: 0, v3: 3, deleted: 3 }[state];
          const before = await tableCounts(store.schema);
          const attempt = store.appendToStream(id, expected as never, events(2, 'Next'));
          if (outcome === 'ok') {
            const result = await attempt;
            expect(result.streamVersion).to.equal(versionBefore + 2);
            const read = await store.readStreamForward(id);
            expect(result.position).to.equal(read[read.length - 1].position);
            expect(read.map((e) => e.streamVersion)).to.deep.equal(
              Array.from({ length: versionBefore + 2 }, (_, i) => i + 1));
          } else {
            const error = await caught(attempt);
            expect(error).to.be.instanceOf(outcome);
            expect(await tableCounts(store.schema)).to.deep.equal(before);
            if (error instanceof WrongExpectedVersionError) {
              expect(error.expectedVersion).to.equal(expected);
              expect(error.actualVersion).to.equal(versionBefore);
              expect(error.code).to.equal('wrong_expected_version');
            }
          }
        });
      }
    }
  });
});
