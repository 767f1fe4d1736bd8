/**
 * Every bad input gets a typed error that names the argument, and writes
 * nothing: each case is checked by reading the table counts back.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Aggregate, AggregateRoot, DuplicateEventError, EventStore, ExpectedVersion, InvalidArgumentError } from '../../src';
import type { EventData } from '../../src';
import { caught, connectStore, disposeStore, events, tableCounts, testDatabaseUrl, withClient } from '../support/stores';
import { TableCounter } from '../support/table-counts';

type Call = (store: EventStore) => Promise<unknown> | unknown;

@Aggregate('BadInputAggregate')
class BadInputAggregate extends AggregateRoot {}

const event = (overrides: Record<string, unknown> = {}): EventData => ({ eventType: 'E', data: { x: 1 }, ...overrides }) as EventData;
const UUID = '0190f5e4-8a6b-7c1d-9e2f-3a4b5c6d7e8f';
const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;

describe('bad input', () => {
  let store: EventStore;
  let existing: string;
  let existingEventId: string;
  let counter: TableCounter;

  before(async () => {
    store = await connectStore('bad_input', { enableHardDeletes: true });
    counter = await TableCounter.open(store.schema);
    existing = 'existing';
    await store.appendToStream(existing, ExpectedVersion.NoStream, events(2));
    existingEventId = (await store.readStreamForward(existing))[0].eventId;
  });
  after(async () => {
    await counter?.close();
    await disposeStore(store);
  });

  /** Expects `call` to fail with InvalidArgumentError naming `argument`, having written nothing. */
  function rejects(title: string, argument: string, call: Call): void {
    it(`${title} -> InvalidArgumentError(${argument})`, async () => {
      const before = await counter.counts();
      const error = await caught(() => call(store));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.code).to.equal('invalid_argument');
      expect(error.argument).to.equal(argument);
      expect(error.message).to.contain(argument);
      expect(await counter.counts()).to.deep.equal(before);
    });
  }

  describe('stream ids', () => {
    const badIds: Array<[string, unknown]> = [
      ['an empty id', ''],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an object', { id: 'x' }],
      ['an array', ['x']],
      ['a $-prefixed id', '$custom'],
      ['$all', '$all'],
      ['an id with a NUL character', 'a\u0000b'],
      ['an id of 1001 bytes', 'x'.repeat(1001)],
      ['an id of 1002 bytes in 501 characters', 'é'.repeat(501)],
    ];
    for (const [name, id] of badIds) {
      rejects(`appendToStream with ${name}`, 'streamId', (s) => s.appendToStream(id as string, ExpectedVersion.Any, [event()]));
      rejects(`linkToStream with ${name}`, 'streamId', (s) => s.linkToStream(id as string, ExpectedVersion.Any, [existingEventId]));
      rejects(`deleteStream with ${name}`, 'streamId', (s) => s.deleteStream(id as string, ExpectedVersion.Any));
      if (id === '$all') continue; // reading $all is allowed
      rejects(`readStreamForward with ${name}`, 'streamId', (s) => s.readStreamForward(id as string));
      rejects(`readStreamBackward with ${name}`, 'streamId', (s) => s.readStreamBackward(id as string));
      rejects(`streamInfo with ${name}`, 'streamId', (s) => s.streamInfo(id as string));
      rejects(`streamForward with ${name}`, 'streamId', (s) => s.streamForward(id as string));
    }
  });

  describe('events', () => {
    for (const [name, value] of [['null', null], ['a string', 'events'], ['an object', { eventType: 'E', data: {} }], ['undefined', undefined]] as const) {
      rejects(`events as ${name}`, 'events', (s) => s.appendToStream('s', ExpectedVersion.Any, value as never));
      rejects(`linked events as ${name}`, 'events', (s) => s.linkToStream('s', ExpectedVersion.Any, value as never));
    }
    for (const [name, value] of [['null', null], ['a string', 'E'], ['an array', [event()]], ['a number', 1]] as const) {
      rejects(`an event that is ${name}`, 'events[1]', (s) => s.appendToStream('s', ExpectedVersion.Any, [event(), value as never]));
    }
    for (const [name, value] of [['a missing', undefined], ['an empty', ''], ['a number as', 5], ['a NUL-holding', 'E\u0000']] as const) {
      rejects(`${name} eventType`, 'events[0].eventType', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ eventType: value })]));
    }
    const badData: Array<[string, unknown]> = [
      ['circular data', circular],
      ['a BigInt', { big: 10n }],
      ['undefined data', undefined],
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
    ];
    for (const [name, data] of badData) {
      rejects(`data with ${name}`, 'events[0].data', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ data })]));
    }
    for (const [name, metadata] of [['a string', 'meta'], ['an array', [1]], ['a number', 5], ['a boolean', true], ['circular', circular]] as const) {
      rejects(`metadata as ${name}`, 'events[0].metadata', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ metadata })]));
    }
    for (const field of ['eventId', 'causationId', 'correlationId']) {
      for (const value of ['not-a-uuid', '', 12, `${UUID}0`, { id: UUID }]) {
        rejects(`${field} ${JSON.stringify(value)}`, `events[0].${field}`, (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ [field]: value })]));
      }
    }
    for (const [name, value] of [['not a UUID', 'nope'], ['a number', 7], ['null', null], ['an object without eventId', {}], ['an object with a bad eventId', { eventId: 'x' }]] as const) {
      rejects(`a linked event that is ${name}`, 'events[0]', (s) => s.linkToStream('s', ExpectedVersion.Any, [value as never]));
    }

    it('refuses duplicate event ids in one batch with DuplicateEventError, and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const error = await caught(store.appendToStream('s', ExpectedVersion.Any, [event({ eventId: UUID }), event(), event({ eventId: UUID.toUpperCase() })]));
      expect(error).to.be.instanceOf(DuplicateEventError);
      expect(error.eventIds).to.deep.equal([UUID]);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it('refuses an event id already stored with DuplicateEventError, and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const error = await caught(store.appendToStream('other', ExpectedVersion.Any, [event(), event({ eventId: existingEventId })]));
      expect(error).to.be.instanceOf(DuplicateEventError);
      expect(error.code).to.equal('duplicate_event');
      expect(error.eventIds).to.deep.equal([existingEventId]);
      expect(error.message).to.contain(existingEventId);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });
  });

  describe('strings PostgreSQL cannot store (NUL, lone UTF-16 surrogates)', () => {
    const bad: Array<[string, string]> = [['a NUL', 'a\u0000b'], ['a lone high surrogate', 'a\ud800b'], ['a lone low surrogate', '\udc00'], ['a reversed pair', '\udc00\ud800']];
    for (const [name, text] of bad) {
      rejects(`appendToStream to a stream id with ${name}`, 'streamId', (s) => s.appendToStream(`s${text}`, ExpectedVersion.Any, [event()]));
      rejects(`linkToStream to a stream id with ${name}`, 'streamId', (s) => s.linkToStream(`s${text}`, ExpectedVersion.Any, [existingEventId]));
      rejects(`readStreamForward of a stream id with ${name}`, 'streamId', (s) => s.readStreamForward(`s${text}`));
      rejects(`an eventType with ${name}`, 'events[0].eventType', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ eventType: `E${text}` })]));
      rejects(`a data string with ${name}`, 'events[0].data.s', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ data: { s: text } })]));
      rejects(`a nested data string with ${name}`, 'events[1].data.a.list[2].b', (s) =>
        s.appendToStream('s', ExpectedVersion.Any, [event(), event({ data: { ok: 'é🎉', a: { list: [1, 'x', { b: text }] } } })]));
      rejects(`a data key with ${name}`, `events[0].data.a[${JSON.stringify(`k${text}`)}]`, (s) =>
        s.appendToStream('s', ExpectedVersion.Any, [event({ data: { a: { [`k${text}`]: 1 } } })]));
      rejects(`a data value that is the bare string with ${name}`, 'events[0].data', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ data: text })]));
      rejects(`a metadata string with ${name}`, 'events[0].metadata.m[0]', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ metadata: { m: [text] } })]));
      rejects(`a causationId with ${name}`, 'events[0].causationId', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ causationId: `${UUID.slice(0, -1)}${text}` })]));
      rejects(`a correlationId with ${name}`, 'events[0].correlationId', (s) => s.appendToStream('s', ExpectedVersion.Any, [event({ correlationId: text })]));
      rejects(`a snapshot sourceId with ${name}`, 'snapshot.sourceId', (s) => s.recordSnapshot({ sourceId: text, sourceVersion: 1, sourceType: 'T', data: {} }));
      rejects(`a snapshot sourceType with ${name}`, 'snapshot.sourceType', (s) => s.recordSnapshot({ sourceId: 'snap', sourceVersion: 1, sourceType: text, data: {} }));
      rejects(`snapshot data with ${name}`, 'snapshot.data.deep[0]', (s) => s.recordSnapshot({ sourceId: 'snap', sourceVersion: 1, sourceType: 'T', data: { deep: [text] } }));
      rejects(`snapshot metadata with ${name}`, 'snapshot.metadata.m', (s) => s.recordSnapshot({ sourceId: 'snap', sourceVersion: 1, sourceType: 'T', data: {}, metadata: { m: text } }));
      rejects(`a persistent subscription name with ${name}`, 'name', (s) => s.subscribeToAllStreams(`sub${text}`, async () => undefined));
      rejects(`a stream subscription name with ${name}`, 'name', (s) => s.subscribeToStream(existing, `sub${text}`, async () => undefined));
      rejects(`deleteSubscription of a name with ${name}`, 'name', (s) => s.deleteSubscription('$all', `sub${text}`));
      rejects(`an aggregate id with ${name}`, 'id', (s) => s.aggregateRepository(BadInputAggregate).load(`agg${text}`));
    }

    it('stores backslash text that only looks like an escape, and well-formed surrogate pairs', async () => {
      const data = { nul: '\\u0000', high: '\\ud800', pair: '\ud83c\udf89', [`key\\ud800`]: '\\\\ud800' };
      await store.appendToStream('escapes', ExpectedVersion.NoStream, [event({ data, metadata: data })]);
      const [read] = await store.readStreamForward('escapes');
      expect(read.data).to.deep.equal(data);
      expect(read.metadata).to.deep.equal(data);
    });
  });

  describe('expected versions', () => {
    for (const value of [-1, -2, -3, 1.5, NaN, Infinity, 'latest', 'any ', null, undefined, '3', {}]) {
      const name = typeof value === 'string' ? JSON.stringify(value) : String(value);
      rejects(`appendToStream at ${name}`, 'expectedVersion', (s) => s.appendToStream(existing, value as never, [event()]));
      rejects(`appendToStream of nothing at ${name}`, 'expectedVersion', (s) => s.appendToStream(existing, value as never, []));
      rejects(`linkToStream at ${name}`, 'expectedVersion', (s) => s.linkToStream('s', value as never, [existingEventId]));
      rejects(`deleteStream at ${name}`, 'expectedVersion', (s) => s.deleteStream(existing, value as never));
    }
  });

  describe('options', () => {
    rejects('appendToStream with options null', 'options', (s) => s.appendToStream('s', ExpectedVersion.Any, [event()], null as never));
    rejects('appendToStream with an em that is not an EntityManager', 'options.em', (s) => s.appendToStream('s', ExpectedVersion.Any, [event()], { em: {} as never }));
    rejects('linkToStream with an em that is not an EntityManager', 'options.em', (s) => s.linkToStream('s', ExpectedVersion.Any, [existingEventId], { em: 'em' as never }));
    rejects('deleteStream with an em that is not an EntityManager', 'options.em', (s) => s.deleteStream(existing, ExpectedVersion.Any, { em: null as never }));
    rejects('deleteStream with hard: "yes"', 'options.hard', (s) => s.deleteStream(existing, ExpectedVersion.Any, { hard: 'yes' as never }));
  });

  describe('reads', () => {
    for (const count of [0, -2, 1.5, NaN, '10', Infinity, null]) {
      const name = typeof count === 'string' ? JSON.stringify(count) : String(count);
      rejects(`readStreamForward with count ${name}`, 'count', (s) => s.readStreamForward(existing, 0, count as number));
      rejects(`readStreamBackward with count ${name}`, 'count', (s) => s.readStreamBackward(existing, -1, count as number));
      rejects(`readAllForward with count ${name}`, 'count', (s) => s.readAllForward(0, count as number));
      rejects(`readAllBackward with count ${name}`, 'count', (s) => s.readAllBackward(-1, count as number));
    }
    for (const start of [-1, -2, 1.5, NaN, '10', Infinity, null]) {
      const name = typeof start === 'string' ? JSON.stringify(start) : String(start);
      rejects(`readStreamForward from ${name}`, 'startVersion', (s) => s.readStreamForward(existing, start as number));
      rejects(`readAllForward from ${name}`, 'startPosition', (s) => s.readAllForward(start as number));
      rejects(`streamForward from ${name}`, 'startVersion', (s) => s.streamForward(existing, start as number));
      rejects(`streamAllForward from ${name}`, 'startPosition', (s) => s.streamAllForward(start as number));
      if (start === -1) continue; // -1: from the end
      rejects(`readStreamBackward from ${name}`, 'startVersion', (s) => s.readStreamBackward(existing, start as number));
      rejects(`readAllBackward from ${name}`, 'startPosition', (s) => s.readAllBackward(start as number));
    }
  });

  describe('stored verbatim, through bound parameters', () => {
    const odd = [
      "x'); drop table events; --",
      `"; drop schema public cascade; --`,
      "back\\slash and 'quotes' and $1 and %s",
      'emoji 🎉 and ümlauts',
      ' leading and trailing spaces ',
    ];
    for (const id of odd) {
      it(`appends to and reads back the stream ${JSON.stringify(id)}`, async () => {
        const type = `Type ${id}`;
        expect(await store.appendToStream(id, ExpectedVersion.NoStream, [event({ eventType: type, data: { id }, metadata: { id } })]))
          .to.include({ streamVersion: 1 });
        const [read] = await store.readStreamForward(id);
        expect(read).to.deep.include({ streamId: id, eventType: type, data: { id }, metadata: { id } });
        expect((await store.streamInfo(id)).streamId).to.equal(id);
        await store.linkToStream(`${id} links`, ExpectedVersion.Any, [read]);
        await store.recordSnapshot({ sourceId: id, sourceVersion: 1, sourceType: type, data: { id } });
        expect((await store.readSnapshot(id)).sourceType).to.equal(type);
        expect(await tableCounts(store.schema)).to.have.property('events').that.is.greaterThan(0);
      });
    }

    it('stores stream and source ids of up to 1000 bytes (UTF-8)', async () => {
      for (const id of [randomBytes(500).toString('hex'), `${'é'.repeat(499)}x${'a'.repeat(1)}`]) {
        expect(Buffer.byteLength(id)).to.equal(1000);
        await store.appendToStream(id, ExpectedVersion.NoStream, [event()]);
        expect((await store.streamInfo(id)).streamId).to.equal(id);
        await store.recordSnapshot({ sourceId: id, sourceVersion: 1, sourceType: 'T', data: {} });
        expect((await store.readSnapshot(id)).sourceId).to.equal(id);
      }
    });
  });

  describe('schema names', () => {
    const bad = ['bad"name', 'bad;name', 'x; drop schema public', 'UpperCase', 'a'.repeat(64), '', '1starts_with_digit', 'has space', 'pg_reserved', 'dash-name'];
    for (const schema of bad) {
      it(`refuses the schema ${JSON.stringify(schema.length > 20 ? `${schema.slice(0, 10)}…(${schema.length})` : schema)} with InvalidArgumentError and creates nothing`, async () => {
        const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema }));
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument).to.equal('schema');
        const { rows } = await withClient((c) => c.query(
          `select nspname from pg_namespace where nspname in ($1::text, lower($1::text), left($1::text, 63), left(lower($1::text), 63))`, [schema]));
        expect(rows).to.deep.equal([]);
      });
    }

    it('accepts a name of 63 characters', async () => {
      const schema = `t_${randomBytes(31).toString('hex')}`.slice(0, 63);
      const other = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema });
      try {
        expect(other.schema).to.have.length(63);
        await other.appendToStream('s', ExpectedVersion.NoStream, [event()]);
      } finally {
        await disposeStore(other);
      }
    });
  });
});
