import { expect } from 'chai';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { DuplicateEventError, ExpectedVersion } from '../../src';
import {
  MAX_ID_BYTES,
  assertBackwardStart,
  assertIdText,
  assertNonNegativeInteger,
  assertPositiveInteger,
  assertStreamId,
  assertStreamIdOrAll,
  assertWriteOptions,
  describe as describeValue,
  unstorableText,
} from '../../src/validation';
import { encodeEvents, encodeExpectedVersion, toJson } from '../../src/encoding';
import { ExpectedVersionCode } from '../../src/protocol';

const { Any: EXPECTED_ANY, NoStream: EXPECTED_NO_STREAM, StreamExists: EXPECTED_STREAM_EXISTS } = ExpectedVersionCode;
import { caughtSync } from '../domain/helpers';
import { expectInvalidArgument } from '../support/invalid-argument';

const ID = '0190f3b2-6b1c-7a3e-9f00-1234567890ab';
const OTHER = '0190f3b2-6b1c-7a3e-9f00-1234567890ac';

describe('encodeEvents', () => {
  it('encodes a batch as column arrays, one entry per event, in order', () => {
    const encoded = encodeEvents([
      { eventType: 'Opened', data: { n: 1 }, metadata: { by: 'me' }, eventId: ID, causationId: OTHER, correlationId: ID },
      { eventType: 'Closed', data: null },
    ]);
    expect(encoded.ids[0]).to.equal(ID);
    expect(encoded.types).to.deep.equal(['Opened', 'Closed']);
    expect(encoded.data).to.deep.equal(['{"n":1}', 'null']);
    expect(encoded.metadata).to.deep.equal(['{"by":"me"}', null]);
    expect(encoded.causation).to.deep.equal([OTHER, null]);
    expect(encoded.correlation).to.deep.equal([ID, null]);
  });

  it('gives events without an id a time-ordered UUID (v7), distinct per event', () => {
    const { ids } = encodeEvents([{ eventType: 'A', data: 1 }, { eventType: 'A', data: 2 }]);
    expect(ids.every((id) => isUuid(id) && uuidVersion(id) === 7)).to.equal(true);
    expect(ids[0]).to.not.equal(ids[1]);
  });

  it('stores given ids in lower case', () => {
    expect(encodeEvents([{ eventType: 'A', data: 1, eventId: ID.toUpperCase() }]).ids).to.deep.equal([ID]);
  });

  it('encodes an empty batch as empty columns', () => {
    expect(encodeEvents([])).to.deep.equal({ ids: [], types: [], data: [], metadata: [], causation: [], correlation: [] });
  });

  it('refuses an id that appears twice in one append (whatever its case) with DuplicateEventError', () => {
    const error = caughtSync(() => encodeEvents([{ eventType: 'A', data: 1, eventId: ID }, { eventType: 'A', data: 2, eventId: ID.toUpperCase() }]));
    expect(error).to.be.instanceOf(DuplicateEventError);
    expect(error.code).to.equal('duplicate_event');
    expect(error.eventIds).to.deep.equal([ID]);
  });

  describe('bad events are InvalidArgumentErrors naming the event and field', () => {
    const cases: Array<[string, unknown, string, RegExp?]> = [
      ['not an array', { eventType: 'A' }, 'events', /expected an array/],
      ['null', null, 'events'],
      ['an event that is not an object', ['A'], 'events[0]', /expected an event object, got "A"/],
      ['an event that is an array', [[]], 'events[0]', /got an array/],
      ['a null event', [null], 'events[0]'],
      ['a missing type', [{ data: 1 }], 'events[0].eventType', /non-empty string/],
      ['an empty type', [{ eventType: '', data: 1 }], 'events[0].eventType'],
      ['a type that is not a string', [{ eventType: 7, data: 1 }], 'events[0].eventType', /got 7/],
      ['a type with NUL', [{ eventType: 'A\u0000', data: 1 }], 'events[0].eventType', /NUL/],
      ['a type with a lone surrogate', [{ eventType: 'A\ud800', data: 1 }], 'events[0].eventType', /surrogate/],
      ['an id that is not a UUID', [{ eventType: 'A', data: 1, eventId: 'abc' }], 'events[0].eventId', /UUID/],
      ['an id that is a number', [{ eventType: 'A', data: 1, eventId: 5 }], 'events[0].eventId'],
      ['data with a cycle', [{ eventType: 'A', data: cyclic() }], 'events[0].data', /not serialisable/],
      ['data that is undefined', [{ eventType: 'A', data: undefined }], 'events[0].data', /not serialisable/],
      ['data that is a function', [{ eventType: 'A', data: () => 1 }], 'events[0].data'],
      ['data with a bigint', [{ eventType: 'A', data: { n: 1n } }], 'events[0].data', /not serialisable/],
      ['data holding NUL', [{ eventType: 'A', data: { a: ['x', 'y\u0000'] } }], 'events[0].data.a[1]', /NUL/],
      ['a key holding NUL', [{ eventType: 'A', data: { 'a\u0000': 1 } }], 'events[0].data["a\\u0000"]', /key must not contain/],
      ['data holding a lone surrogate', [{ eventType: 'A', data: { s: '\udc00' } }], 'events[0].data.s', /surrogate/],
      ['metadata that is an array', [{ eventType: 'A', data: 1, metadata: [] }], 'events[0].metadata', /expected an object/],
      ['metadata that is a string', [{ eventType: 'A', data: 1, metadata: 'm' }], 'events[0].metadata'],
      ['a causation id that is not a UUID', [{ eventType: 'A', data: 1, causationId: 'x' }], 'events[0].causationId'],
      ['a correlation id that is not a UUID', [{ eventType: 'A', data: 1, correlationId: 12 }], 'events[0].correlationId'],
      ['a bad second event', [{ eventType: 'A', data: 1 }, { eventType: 'B' , data: 1, eventId: 'nope' }], 'events[1].eventId'],
    ];
    for (const [label, events, argument, message] of cases) {
      it(`refuses ${label}`, () => expectInvalidArgument(() => encodeEvents(events), argument, message));
    }
  });

  it('keeps a backslash followed by "u0000" in data: it is text, not NUL', () => {
    expect(encodeEvents([{ eventType: 'A', data: { s: '\\u0000' } }]).data[0]).to.equal('{"s":"\\\\u0000"}');
  });

  it('keeps a well-formed surrogate pair (an emoji) in data and types', () => {
    const encoded = encodeEvents([{ eventType: 'Tada🎉', data: { s: '🎉' } }]);
    expect(encoded.types[0]).to.equal('Tada🎉');
    expect(JSON.parse(encoded.data[0])).to.deep.equal({ s: '🎉' });
  });
});

describe('toJson', () => {
  it('names the argument as given, or as built lazily', () => {
    expectInvalidArgument(() => toJson(undefined, 'snapshot.data'), 'snapshot.data');
    expectInvalidArgument(() => toJson({ x: '\u0000' }, (suffix) => `a${suffix}`, '.b'), 'a.b.x');
  });

  it('returns JSON text, toJSON applied', () => {
    expect(toJson({ at: new Date(0) }, 'x')).to.equal('{"at":"1970-01-01T00:00:00.000Z"}');
  });
});

function cyclic(): object {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
}

describe('encodeExpectedVersion', () => {
  it('maps the constants to the SQL functions\' codes and keeps exact versions', () => {
    expect(encodeExpectedVersion(ExpectedVersion.Any)).to.equal(EXPECTED_ANY);
    expect(encodeExpectedVersion(ExpectedVersion.NoStream)).to.equal(EXPECTED_NO_STREAM);
    expect(encodeExpectedVersion(ExpectedVersion.StreamExists)).to.equal(EXPECTED_STREAM_EXISTS);
    expect(encodeExpectedVersion(0)).to.equal(0);
    expect(encodeExpectedVersion(42)).to.equal(42);
    expect(encodeExpectedVersion(Number.MAX_SAFE_INTEGER)).to.equal(Number.MAX_SAFE_INTEGER);
  });

  for (const bad of [-1, -2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '3', 'ANY', null, undefined, {}]) {
    it(`refuses ${describeValue(bad)} (the codes themselves are not accepted)`, () => expectInvalidArgument(() => encodeExpectedVersion(bad), 'expectedVersion'));
  }
});

describe('argument checks', () => {
  it('accepts ordinary stream ids, and $all only where the operation takes it', () => {
    assertStreamId('account-1');
    assertStreamIdOrAll('$all');
    expectInvalidArgument(() => assertStreamId('$all'), 'streamId', /reserved/);
  });

  const badIds: Array<[string, unknown, RegExp]> = [
    ['a number', 5, /expected a string, got 5/],
    ['an empty string', '', /must not be empty/],
    ['a $-prefixed id', '$et-x', /reserved/],
    ['an id with NUL', 'a\u0000b', /NUL/],
    ['an id longer than the key limit', 'é'.repeat(MAX_ID_BYTES / 2 + 1), /longer than 1000 bytes/],
  ];
  for (const [label, id, message] of badIds) {
    it(`refuses ${label} as a stream id`, () => expectInvalidArgument(() => assertStreamIdOrAll(id), 'streamId', message));
  }

  it('measures the id limit in UTF-8 bytes, not characters', () => {
    assertStreamId('a'.repeat(MAX_ID_BYTES));
    expectInvalidArgument(() => assertStreamId('a'.repeat(MAX_ID_BYTES + 1)), 'streamId');
    expectInvalidArgument(() => assertIdText('€'.repeat(334), 'sourceId'), 'sourceId');
    assertIdText('€'.repeat(333), 'sourceId');
  });

  it('checks counts and starts as integers in range, naming the argument', () => {
    assertNonNegativeInteger(0, 'start');
    assertPositiveInteger(1, 'count');
    assertBackwardStart(-1, 'start');
    assertBackwardStart(0, 'start');
    expectInvalidArgument(() => assertNonNegativeInteger(-1, 'start'), 'start', /integer >= 0, got -1/);
    expectInvalidArgument(() => assertPositiveInteger(0, 'count'), 'count', /integer >= 1/);
    expectInvalidArgument(() => assertPositiveInteger(2.5, 'count'), 'count');
    expectInvalidArgument(() => assertPositiveInteger('10', 'count'), 'count', /got "10"/);
    expectInvalidArgument(() => assertBackwardStart(-2, 'start'), 'start');
    expectInvalidArgument(() => assertNonNegativeInteger(Number.MAX_SAFE_INTEGER + 2, 'start'), 'start');
  });

  it('accepts write options with an EntityManager only', () => {
    assertWriteOptions(undefined);
    assertWriteOptions({});
    assertWriteOptions({ em: { getTransactionContext: () => undefined } });
    expectInvalidArgument(() => assertWriteOptions(null), 'options');
    expectInvalidArgument(() => assertWriteOptions([]), 'options');
    expectInvalidArgument(() => assertWriteOptions({ em: {} }), 'options.em', /EntityManager/);
    expectInvalidArgument(() => assertWriteOptions({ em: null }), 'options.em');
  });

  it('says what PostgreSQL cannot store', () => {
    expect(unstorableText('plain')).to.equal(undefined);
    expect(unstorableText('😀')).to.equal(undefined);
    expect(unstorableText('\u0000')).to.match(/NUL/);
    expect(unstorableText('\ud83d')).to.match(/surrogate/);
  });

  it('describes values briefly for messages', () => {
    expect(describeValue(null)).to.equal('null');
    expect(describeValue([1])).to.equal('an array');
    expect(describeValue('x'.repeat(50))).to.equal(`"${'x'.repeat(40)}…"`);
    expect(describeValue(3n)).to.equal('3');
    expect(describeValue({})).to.equal('object');
    expect(describeValue(undefined)).to.equal('undefined');
  });
});
