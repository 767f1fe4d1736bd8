/**
 * Idempotent appends: appending again exactly the events one earlier append
 * stored (same ids, same order, same stream) resolves with that append's
 * original `{ streamVersion, position }` and writes nothing, whatever the
 * expected version; anything else that reuses stored ids is a
 * DuplicateEventError. Proven too across a real ambiguous commit: a TCP proxy
 * cuts the connection after the server committed and before its reply.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import {
  AppendResult,
  DuplicateEventError,
  EventData,
  EventStore,
  ExpectedVersion,
  WrongExpectedVersionError,
} from '../../src';
import { caught, connectStore, disposeStore, dropSchema, tableCounts, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { sleep, waitUntil } from '../support/wait';

/** Events with ids fixed before the first try, as a retrying caller must. */
function batch(count: number): EventData[] {
  return Array.from({ length: count }, (_, i) => ({ eventId: randomUUID(), eventType: 'Retried', data: { n: i + 1 } }));
}

describe('idempotent appends', function () {
  this.timeout(60_000);
  let store: EventStore;
  before(async () => {
    store = await connectStore('idem');
  });
  after(() => disposeStore(store));

  /** Row counts and every stream's version: what a write would change. */
  async function state(): Promise<unknown> {
    const counts = await tableCounts(store.schema);
    const versions = await withClient(async (c) =>
      (await c.query(`select stream_id, version from "${store.schema}".streams order by stream_id`)).rows);
    return { counts, versions };
  }

  describe('an exact retry resolves with the original result and writes nothing', () => {
    let stream: string;
    let first: AppendResult;
    let second: EventData[];
    let original: AppendResult;
    before(async () => {
      stream = `exact-${randomUUID()}`;
      first = await store.appendToStream(stream, ExpectedVersion.NoStream, batch(2));
      second = batch(3);
      original = await store.appendToStream(stream, 2, second);
      await store.appendToStream(stream, 5, batch(1)); // the stream moved on since
      expect(original.streamVersion).to.equal(5);
      expect(original.position).to.be.a('number');
    });

    const expectations: [string, () => ExpectedVersionLike][] = [
      ['the original expected version', () => 2],
      ['a stale exact version', () => 4],
      ['the current version', () => 6],
      ['NoStream', () => ExpectedVersion.NoStream],
      ['Any', () => ExpectedVersion.Any],
      ['StreamExists', () => ExpectedVersion.StreamExists],
    ];
    for (const [name, expected] of expectations) {
      it(`with ${name}`, async () => {
        const before = await state();
        expect(await store.appendToStream(stream, expected(), second)).to.deep.equal(original);
        expect(await state()).to.deep.equal(before);
      });
    }

    it('with upper-case ids', async () => {
      const upper = second.map((e) => ({ ...e, eventId: e.eventId!.toUpperCase() }));
      expect(await store.appendToStream(stream, 2, upper)).to.deep.equal(original);
    });

    it('for the first append of a stream, with NoStream and with Any', async () => {
      const firstBatch = (await store.readStreamForward(stream, 1, 2)).map((e) => ({ eventId: e.eventId, eventType: e.eventType, data: e.data }));
      const before = await state();
      expect(await store.appendToStream(stream, ExpectedVersion.NoStream, firstBatch)).to.deep.equal(first);
      expect(await store.appendToStream(stream, ExpectedVersion.Any, firstBatch)).to.deep.equal(first);
      expect(await state()).to.deep.equal(before);
    });

    it('inside a caller\'s transaction, with position null, and writes nothing', async () => {
      const before = await state();
      const em = store.orm.em.fork();
      const result = await em.transactional((tem) => store.appendToStream(stream, 2, second, { em: tem }));
      expect(result).to.deep.equal({ streamVersion: original.streamVersion, position: null });
      expect(await state()).to.deep.equal(before);
    });

    it('inside a caller\'s transaction, with a version that passes the check, stays a DuplicateEventError (the duplicate aborts that transaction)', async () => {
      const before = await state();
      const em = store.orm.em.fork();
      const error = await caught(em.transactional((tem) => store.appendToStream(stream, ExpectedVersion.Any, second, { em: tem })));
      expect(error).to.be.instanceOf(DuplicateEventError);
      expect(await state()).to.deep.equal(before);
    });

    it('does not depend on the data sent again (the ids identify the events)', async () => {
      const changed = second.map((e) => ({ ...e, data: { other: true } }));
      expect(await store.appendToStream(stream, ExpectedVersion.Any, changed)).to.deep.equal(original);
      expect((await store.readStreamForward(stream, 3, 3)).map((e) => e.data)).to.deep.equal(second.map((e) => e.data));
    });
  });

  describe('anything but an exact retry is a DuplicateEventError and writes nothing', () => {
    let stream: string;
    let stored: EventData[];
    before(async () => {
      stream = `partial-${randomUUID()}`;
      await store.appendToStream(stream, ExpectedVersion.NoStream, batch(1));
      stored = batch(3);
      await store.appendToStream(stream, 1, stored);
      await store.appendToStream(stream, 4, batch(1));
    });

    const cases: [string, () => { stream?: string; events: EventData[] }][] = [
      ['a partial match (stored ids and a new one)', () => ({ events: [stored[0], stored[1], batch(1)[0]] })],
      ['a new id before stored ones', () => ({ events: [batch(1)[0], ...stored] })],
      ['the same ids in another order', () => ({ events: [stored[1], stored[0], stored[2]] })],
      ['a superset (the append and the next one)', () => ({ events: [...stored, batch(1)[0]] })],
      ['a subset (a prefix of the append)', () => ({ events: stored.slice(0, 2) })],
      ['a subset (the end of the append)', () => ({ events: stored.slice(1) })],
      ['the same ids in another stream', () => ({ stream: `elsewhere-${randomUUID()}`, events: stored })],
    ];
    for (const [name, make] of cases) {
      it(`${name}, with Any`, async () => {
        const { stream: target = stream, events } = make();
        const before = await state();
        const error = await caught(store.appendToStream(target, ExpectedVersion.Any, events));
        expect(error).to.be.instanceOf(DuplicateEventError);
        expect(error.code).to.equal('duplicate_event');
        expect(await state()).to.deep.equal(before);
      });
    }

    it('spanning two appends', async () => {
      const spanning = `spanning-${randomUUID()}`;
      const [a, b] = [batch(1), batch(2)];
      await store.appendToStream(spanning, ExpectedVersion.NoStream, a);
      await store.appendToStream(spanning, 1, b);
      const before = await state();
      expect(await caught(store.appendToStream(spanning, ExpectedVersion.Any, [...a, ...b]))).to.be.instanceOf(DuplicateEventError);
      expect(await caught(store.appendToStream(spanning, ExpectedVersion.Any, [...a, b[0]]))).to.be.instanceOf(DuplicateEventError);
      expect(await state()).to.deep.equal(before);
    });

    it('with a refused expected version, the version error stands (as for any append)', async () => {
      const before = await state();
      const error = await caught(store.appendToStream(stream, 1, stored.slice(0, 2)));
      expect(error).to.be.instanceOf(WrongExpectedVersionError);
      expect(await state()).to.deep.equal(before);
    });
  });

  it('resolves concurrent identical attempts with one result, the events stored once', async () => {
    const stream = `concurrent-${randomUUID()}`;
    const events = batch(4);
    // First tries racing each other, with NoStream and with Any.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      store.appendToStream(stream, i % 2 ? ExpectedVersion.Any : ExpectedVersion.NoStream, events)));
    for (const r of results) expect(r).to.deep.equal(results[0]);
    expect(results[0].streamVersion).to.equal(4);
    // Then retries racing each other.
    const before = await state();
    const retries = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      store.appendToStream(stream, [ExpectedVersion.Any, 0, 3, ExpectedVersion.StreamExists][i % 4], events)));
    for (const r of retries) expect(r).to.deep.equal(results[0]);
    expect(await state()).to.deep.equal(before);
    expect((await store.readStreamForward(stream, 1, 100)).map((e) => e.eventId)).to.deep.equal(events.map((e) => e.eventId));
  });

  it('waits for the position of a retried append the sequencer has not numbered yet', async () => {
    const stream = `unnumbered-${randomUUID()}`;
    const events = batch(2);
    const holder = await lockSequencer(store.schema);
    let originalResult: Promise<AppendResult>;
    let retry: Promise<AppendResult>;
    try {
      // Committed, but not numbered: the sequencer's lock is held elsewhere.
      originalResult = store.appendToStream(stream, ExpectedVersion.NoStream, events);
      await waitForCommitted(store.schema, events[1].eventId!);
      // The look-up finds the original by its transaction, not yet by a position.
      const replay = await withClient(async (c) => (await c.query(
        `select stream_version, tx::text as tx, last_position from "${store.schema}".es_replay($1, $2::uuid[])`,
        [stream, events.map((e) => e.eventId)])).rows);
      expect(replay).to.have.length(1);
      expect(replay[0]).to.include({ stream_version: '2', last_position: null });
      expect(replay[0].tx).to.be.a('string');
      retry = store.appendToStream(stream, ExpectedVersion.NoStream, events);
      const settled = await Promise.race([retry.then(() => 'settled', () => 'settled'), sleep(300).then(() => 'pending')]);
      expect(settled).to.equal('pending'); // no position can be known while the sequencer is held
    } finally {
      await holder.end();
    }
    const [a, b] = await Promise.all([originalResult!, retry!]);
    expect(b).to.deep.equal(a);
    expect(a.position).to.be.a('number');
    const inAll = await store.readAllForward(0, 100_000);
    expect(inAll.find((e) => e.eventId === events[1].eventId)!.position).to.equal(a.position);
  });

  describe('across an ambiguous commit (the connection cut after the commit, before the reply)', () => {
    let proxy: CuttingProxy;
    let proxied: EventStore;
    before(async () => {
      proxy = await CuttingProxy.start(new URL(testDatabaseUrl()));
      proxied = await EventStore.connect({ clientUrl: proxy.url(testDatabaseUrl()), schema: uniqueSchema('idem_proxy') });
    });
    after(async () => {
      const schema = proxied?.schema;
      await proxied?.close();
      if (schema) await dropSchema(schema);
      await proxy?.close();
    });

    it('the append rejects with a connection error, its retry resolves with the original result, the events are stored once', async () => {
      const stream = `ambiguous-${randomUUID()}`;
      await proxied.appendToStream(stream, ExpectedVersion.NoStream, batch(1));
      const events = batch(3);
      proxy.cutReplyTo(events[2].eventId!);
      const error = await caught(proxied.appendToStream(stream, 1, events));
      expect(error).to.be.instanceOf(Error);
      expect(error).not.to.be.instanceOf(DuplicateEventError);
      expect(proxy.cuts).to.equal(1);

      // The server committed it: the events are there.
      const stored = await withClient(async (c) => (await c.query(
        `select e.event_id from "${proxied.schema}".events e join "${proxied.schema}".streams s on s.id = e.stream_ref
         where s.stream_id = $1 order by e.stream_version`, [stream])).rows.map((r) => r.event_id));
      expect(stored.slice(1)).to.deep.equal(events.map((e) => e.eventId));

      const retried = await proxied.appendToStream(stream, 1, events);
      expect(retried.streamVersion).to.equal(4);
      const all = await proxied.readAllForward(0, 100_000);
      expect(retried.position).to.equal(all.find((e) => e.eventId === events[2].eventId)!.position);
      expect((await proxied.readStreamForward(stream, 1, 100)).map((e) => e.eventId)).to.deep.equal([stored[0], ...events.map((e) => e.eventId)]);
      expect(all.filter((e) => events.some((x) => x.eventId === e.eventId))).to.have.length(3);
    });
  });
});

type ExpectedVersionLike = Parameters<EventStore['appendToStream']>[1];

/** A session holding the store's sequencer lock until it ends. */
async function lockSequencer(schema: string): Promise<{ end(): Promise<void> }> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  await client.query(`select pg_advisory_lock("${schema}".es_sequencer_key(), 0)`);
  return { end: () => client.end() };
}

/** Waits (up to 5 s) until the event is committed. */
function waitForCommitted(schema: string, eventId: string): Promise<void> {
  const committed = () => withClient(async (c) => (await c.query(`select 1 from "${schema}".events where event_id = $1`, [eventId])).rowCount === 1);
  return waitUntil(committed, `event ${eventId} is committed`, 5000, 20);
}

/**
 * A TCP proxy on 127.0.0.1 in front of the PostgreSQL server. Armed with a
 * marker (an event id, sent as a query parameter), it forwards the query that
 * carries it and, as soon as the server's reply to it starts flowing back,
 * drops both connections without passing the reply on. The server flushes
 * that reply only once the statement's implicit transaction has committed,
 * so the client is left not knowing whether its append committed.
 */
class CuttingProxy {
  cuts = 0;
  private marker: string | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(target: URL): Promise<CuttingProxy> {
    const server = createServer();
    const proxy = new CuttingProxy(server);
    server.on('connection', (client) => proxy.pipe(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as AddressInfo).port);
    return url.toString();
  }

  cutReplyTo(marker: string): void {
    this.marker = marker;
  }

  private pipe(client: Socket, target: URL): void {
    const server = new Socket();
    server.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    let cutting = false;
    client.on('data', (chunk) => {
      if (this.marker && chunk.includes(this.marker)) {
        this.marker = undefined;
        cutting = true;
      }
      server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (cutting) {
        this.cuts++;
        client.destroy();
        server.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
