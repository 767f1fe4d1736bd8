import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  ExpectedVersionValue,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import { encodeExpectedVersion } from '../../src/encoding';
import { WriteStatus, WriteStatusCode, expectedVersionStatus, expectedVersionStatusSql } from '../../src/protocol';
import { connectStore, disposeStore, events, withClient } from '../support/stores';

/** Every expected version against every stream state: the SQL of the write functions and expectedVersionStatus agree. */
describe('expected-version rules: SQL and TypeScript agree', () => {
  let store: EventStore;
  let n = 0;
  before(async () => {
    store = await connectStore('expected_sql');
  });
  after(() => disposeStore(store));

  const expectedValues: ExpectedVersionValue[] = [ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.StreamExists, 0, 2, 3, 4];
  type State = 'missing' | 'empty' | 'at 3' | 'deleted at 3';
  const states: State[] = ['missing', 'empty', 'at 3', 'deleted at 3'];
  const committed: Record<State, { version: number; deleted_at: Date | null } | undefined> = {
    'missing': undefined,
    'empty': { version: 0, deleted_at: null },
    'at 3': { version: 3, deleted_at: null },
    'deleted at 3': { version: 3, deleted_at: new Date() },
  };

  /** A new stream in `state`. */
  async function streamIn(state: State): Promise<string> {
    const stream = `cell-${++n}`;
    if (state === 'empty') await withClient((c) => c.query(`insert into "${store.schema}".streams (stream_id, version) values ($1, 0)`, [stream]));
    if (state === 'at 3' || state === 'deleted at 3') await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
    if (state === 'deleted at 3') await store.deleteStream(stream, ExpectedVersion.Any);
    return stream;
  }

  /** The write status a store call's outcome stands for. */
  async function statusOf(write: Promise<unknown>): Promise<WriteStatusCode> {
    try {
      await write;
      return WriteStatus.Ok;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return WriteStatus.WrongExpectedVersion;
      if (error instanceof StreamExistsError) return WriteStatus.StreamExists;
      if (error instanceof StreamNotFoundError) return WriteStatus.StreamNotFound;
      if (error instanceof StreamDeletedError) return WriteStatus.StreamDeleted;
      throw error;
    }
  }

  async function sqlStatus(expected: number, state: State): Promise<number> {
    const row = committed[state];
    const sql = expectedVersionStatusSql({ expected: '$1::bigint', exists: '$2::boolean', version: '$3::bigint', deleted: '$4::boolean' });
    const result = await withClient((c) => c.query(`select ${sql} as status`, [expected, row !== undefined, row?.version ?? 0, row?.deleted_at != null]));
    return result.rows[0].status;
  }

  let linked: string;
  before(async () => {
    await store.appendToStream('link-source', ExpectedVersion.NoStream, events(1));
    linked = (await store.readStreamForward('link-source'))[0].eventId;
  });

  for (const expected of expectedValues) {
    for (const state of states) {
      it(`${String(expected)}, a stream ${state}`, async () => {
        const code = encodeExpectedVersion(expected);
        const rule = expectedVersionStatus(code, committed[state]);
        expect(await sqlStatus(code, state), 'the rendered SQL').to.equal(rule);
        expect(await statusOf(store.appendToStream(await streamIn(state), expected, events(1))), 'es_append').to.equal(rule);
        expect(await statusOf(store.linkToStream(await streamIn(state), expected, [linked])), 'es_link').to.equal(rule);
        // A delete needs a stream: a missing one is not found whatever the expected version.
        const deleteRule = state === 'missing' ? WriteStatus.StreamNotFound : rule;
        expect(await statusOf(store.deleteStream(await streamIn(state), expected)), 'es_delete').to.equal(deleteRule);
      });
    }
  }
});
