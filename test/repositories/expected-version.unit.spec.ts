import { expect } from 'chai';
import {
  DuplicateEventError,
  ExpectedVersion,
  StreamDeletedError,
  StreamExistsError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import { ExpectedVersionCode, WriteStatus, expectedVersionStatus } from '../../src/protocol';
import { isStoredEventId, mapWriteError, refusal } from '../../src/repositories/write-errors';

const { Any: EXPECTED_ANY, NoStream: EXPECTED_NO_STREAM, StreamExists: EXPECTED_STREAM_EXISTS } = ExpectedVersionCode;

const missing = undefined;
const empty = { version: 0, deleted_at: null };
const atThree = { version: 3, deleted_at: null };
const deleted = { version: 3, deleted_at: new Date() };

const STATUS_NAMES = Object.fromEntries(Object.entries(WriteStatus).map(([name, code]) => [code, name]));

describe('expected-version rules', () => {
  // [expected, stream state, status]: commanded/eventstore's table.
  const table: Array<[string, number, { version: number; deleted_at: Date | null } | undefined, keyof typeof WriteStatus]> = [
    ['any, no stream', EXPECTED_ANY, missing, 'Ok'],
    ['any, a stream at 3', EXPECTED_ANY, atThree, 'Ok'],
    ['no stream, no stream', EXPECTED_NO_STREAM, missing, 'Ok'],
    ['no stream, a stream without events', EXPECTED_NO_STREAM, empty, 'Ok'],
    ['no stream, a stream at 3', EXPECTED_NO_STREAM, atThree, 'StreamExists'],
    ['stream exists, no stream', EXPECTED_STREAM_EXISTS, missing, 'StreamNotFound'],
    ['stream exists, a stream without events', EXPECTED_STREAM_EXISTS, empty, 'Ok'],
    ['stream exists, a stream at 3', EXPECTED_STREAM_EXISTS, atThree, 'Ok'],
    ['0, no stream', 0, missing, 'Ok'],
    ['0, a stream without events', 0, empty, 'Ok'],
    ['0, a stream at 3', 0, atThree, 'WrongExpectedVersion'],
    ['3, a stream at 3', 3, atThree, 'Ok'],
    ['2, a stream at 3', 2, atThree, 'WrongExpectedVersion'],
    ['4, a stream at 3', 4, atThree, 'WrongExpectedVersion'],
    ['5, no stream', 5, missing, 'WrongExpectedVersion'],
    ['any, a deleted stream', EXPECTED_ANY, deleted, 'StreamDeleted'],
    ['no stream, a deleted stream', EXPECTED_NO_STREAM, deleted, 'StreamDeleted'],
    ['stream exists, a deleted stream', EXPECTED_STREAM_EXISTS, deleted, 'StreamDeleted'],
    ['3, a deleted stream at 3', 3, deleted, 'StreamDeleted'],
  ];
  for (const [label, expected, state, status] of table) {
    it(`${label}: ${status}`, () => {
      expect(STATUS_NAMES[expectedVersionStatus(expected, state)]).to.equal(status);
    });
  }
});

describe('write refusals', () => {
  it('turns each refusal status into its typed error with the facts a caller needs', () => {
    const wrong = refusal(WriteStatus.WrongExpectedVersion, 's', 2, 3) as WrongExpectedVersionError;
    expect(wrong).to.be.instanceOf(WrongExpectedVersionError);
    expect([wrong.code, wrong.streamId, wrong.expectedVersion, wrong.actualVersion]).to.deep.equal(['wrong_expected_version', 's', 2, 3]);
    const exists = refusal(WriteStatus.StreamExists, 's', ExpectedVersion.NoStream, 4) as StreamExistsError;
    expect(exists).to.be.instanceOf(StreamExistsError);
    expect([exists.code, exists.actualVersion]).to.deep.equal(['stream_exists', 4]);
    expect(refusal(WriteStatus.StreamNotFound, 's', ExpectedVersion.StreamExists, 0)).to.be.instanceOf(StreamNotFoundError);
    expect(refusal(WriteStatus.StreamDeleted, 's', 1, 1)).to.be.instanceOf(StreamDeletedError);
  });

  it('keeps the constant the caller passed as the expected version', () => {
    const error = refusal(WriteStatus.WrongExpectedVersion, 's', ExpectedVersion.Any, 1) as WrongExpectedVersionError;
    expect(error.expectedVersion).to.equal('any');
    expect(error.message).to.equal('Wrong expected version for stream "s": expected any, actual 1');
  });

  it('refuses to map a status that is not a refusal', () => {
    expect(() => refusal(WriteStatus.Ok, 's', 1, 1)).to.throw(/unexpected write status 0/);
    expect(() => refusal(99, 's', 1, 1)).to.throw(/unexpected write status 99/);
  });
});

describe('write errors from the database', () => {
  const ID = '0190f3b2-6b1c-7a3e-9f00-1234567890ab';

  it('maps a stored event id to DuplicateEventError naming the id from the detail', () => {
    const error = mapWriteError({ code: '23505', constraint: 'events_pkey', detail: `Key (event_id)=(${ID}) already exists.` }, ['x', 'y']);
    expect(error).to.be.instanceOf(DuplicateEventError);
    expect((error as DuplicateEventError).eventIds).to.deep.equal([ID]);
    expect((error as Error).message).to.match(/already stored/);
  });

  it('maps an event linked twice into a stream, and falls back to the batch\'s ids without a detail', () => {
    const error = mapWriteError({ code: '23505', constraint: 'stream_links_event_id_stream_ref_unique' }, ['a', 'b']) as DuplicateEventError;
    expect(error).to.be.instanceOf(DuplicateEventError);
    expect(error.eventIds).to.deep.equal(['a', 'b']);
    expect(error.message).to.match(/already linked/);
  });

  it('returns other errors unchanged (other constraints, other codes, non-errors)', () => {
    const other = { code: '23505', constraint: 'something_else' };
    expect(mapWriteError(other, [])).to.equal(other);
    const timeout = { code: '57014' };
    expect(mapWriteError(timeout, [])).to.equal(timeout);
    expect(mapWriteError(undefined, [])).to.equal(undefined);
  });

  it('tells a stored event id (perhaps an exact retry) from other unique violations', () => {
    expect(isStoredEventId({ code: '23505', constraint: 'events_pkey' })).to.equal(true);
    expect(isStoredEventId({ code: '23505', constraint: 'stream_links_event_id_stream_ref_unique' })).to.equal(false);
    expect(isStoredEventId({ code: '40001', constraint: 'events_pkey' })).to.equal(false);
    expect(isStoredEventId(null)).to.equal(false);
  });
});
