import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EventStore, ExpectedVersion, StreamNotFoundError } from '../../src';
import type { EventData } from '../../src';
import { caught, connectStore, disposeStore, dropSchema, events, tableCounts, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { eventually } from '../support/wait';

/** An application's own entity, in the application's own MikroORM. */
@Entity({ tableName: 'notes' })
class Note {
  @PrimaryKey()
  id!: number;

  @Property()
  text!: string;

  constructor(text: string) {
    this.text = text;
  }
}

class Rollback extends Error {}

/** Runs `fn` in a transaction of `em`'s ORM and rolls it back by throwing. */
async function inRolledBackTransaction(em: { transactional<T>(fn: (em: any) => Promise<T>): Promise<T> }, fn: (em: any) => Promise<unknown>): Promise<void> {
  const error = await caught(em.transactional(async (tem) => {
    await fn(tem);
    throw new Rollback();
  }));
  expect(error).to.be.instanceOf(Rollback);
}

/** Waits (up to 2 s) until `$all` holds every one of the events. */
async function untilInAll(store: EventStore, eventIds: string[]): Promise<void> {
  await eventually(() => store.readAllForward(0, 100_000), (all) => {
    const seen = new Set(all.map((e) => e.eventId));
    return eventIds.every((id) => seen.has(id));
  }, 'every event is in $all', { timeoutMs: 2000, intervalMs: 20 });
}

const withIds = (count: number, type = 'TxEvent'): Array<EventData & { eventId: string }> =>
  events(count, type).map((e) => ({ ...e, eventId: randomUUID() }));

describe('caller transactions ({ em })', () => {
  describe('with an EntityManager of store.orm', () => {
    let store: EventStore;
    let n = 0;
    const stream = (label: string) => `${label}-${++n}`;

    before(async () => {
      // No safety timer: only the NOTIFY sent at the caller's commit can wake
      // the sequencer, so the $all checks below prove that it does.
      store = await connectStore('tx', { enableHardDeletes: true, sequencerIntervalMs: 0 });
    });
    after(() => disposeStore(store));

    it('append, link, soft and hard delete and recordSnapshot leave nothing behind when the transaction rolls back', async () => {
      const linked = stream('linked');
      const softly = stream('soft');
      const hardly = stream('hard');
      await store.appendToStream(linked, ExpectedVersion.NoStream, events(2));
      await store.appendToStream(softly, ExpectedVersion.NoStream, events(1));
      await store.appendToStream(hardly, ExpectedVersion.NoStream, events(1));
      await store.recordSnapshot({ sourceId: 'kept', sourceVersion: 1, sourceType: 'T', data: { v: 1 } });
      const toLink = await store.readStreamForward(linked);
      const before = await tableCounts(store.schema);
      const allBefore = await store.readAllForward(0, 100_000);

      await inRolledBackTransaction(store.orm.em.fork(), async (em) => {
        const appended = stream('appended');
        expect(await store.appendToStream(appended, ExpectedVersion.NoStream, events(3), { em })).to.deep.equal({ streamVersion: 3, position: null });
        // Later calls of the same transaction see its earlier writes.
        expect(await store.appendToStream(appended, 3, events(1), { em })).to.deep.equal({ streamVersion: 4, position: null });
        await store.linkToStream(stream('links'), ExpectedVersion.NoStream, toLink, { em });
        await store.deleteStream(softly, 1, { em });
        await store.deleteStream(hardly, 1, { em, hard: true });
        await store.recordSnapshot({ sourceId: 'kept', sourceVersion: 2, sourceType: 'T', data: { v: 2 } }, { em });
        await store.recordSnapshot({ sourceId: 'new', sourceVersion: 1, sourceType: 'T', data: {} }, { em });
        await store.deleteSnapshot('kept', { em });
        // Nothing is visible outside the transaction before it commits.
        expect(await caught(store.readStreamForward(appended))).to.be.instanceOf(StreamNotFoundError);
      });

      expect(await tableCounts(store.schema)).to.deep.equal(before);
      expect(await store.readAllForward(0, 100_000)).to.deep.equal(allBefore);
      expect((await store.streamInfo(softly)).deletedAt).to.equal(undefined);
      expect(await store.readStreamForward(hardly)).to.have.length(1);
      expect((await store.readSnapshot('kept')).sourceVersion).to.equal(1);
    });

    it('append, link, delete and recordSnapshot become visible when the transaction commits, and $all gets the events soon after', async () => {
      const source = stream('source');
      const appended = stream('appended');
      const deleted = stream('deleted');
      const links = stream('links');
      await store.appendToStream(source, ExpectedVersion.NoStream, events(2));
      await store.appendToStream(deleted, ExpectedVersion.NoStream, events(1));
      const toLink = await store.readStreamForward(source);
      const batch = withIds(3);

      await store.orm.em.fork().transactional(async (em) => {
        await store.appendToStream(appended, ExpectedVersion.NoStream, batch, { em });
        await store.linkToStream(links, ExpectedVersion.NoStream, toLink, { em });
        await store.deleteStream(deleted, 1, { em });
        await store.recordSnapshot({ sourceId: appended, sourceVersion: 3, sourceType: 'T', data: { n: 3 } }, { em });
      });

      expect((await store.readStreamForward(appended)).map((e) => e.eventId)).to.deep.equal(batch.map((e) => e.eventId));
      expect((await store.readStreamForward(links)).map((e) => e.eventId)).to.deep.equal(toLink.map((e) => e.eventId));
      expect((await store.streamInfo(deleted)).deletedAt).to.be.instanceOf(Date);
      expect((await store.readSnapshot(appended)).sourceVersion).to.equal(3);
      await untilInAll(store, batch.map((e) => e.eventId));
      const read = await store.readStreamForward(appended);
      expect(read.every((e) => e.position > 0)).to.equal(true);
    });

    it('hard-deletes in a committed transaction', async () => {
      const id = stream('hard');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(2));
      await store.orm.em.fork().transactional((em) => store.deleteStream(id, 2, { em, hard: true }));
      expect(await caught(store.streamInfo(id))).to.be.instanceOf(StreamNotFoundError);
    });

    it('joins a transaction opened with em.begin() and undone with em.rollback()', async () => {
      const before = await tableCounts(store.schema);
      const em = store.orm.em.fork();
      await em.begin();
      try {
        await store.appendToStream(stream('begun'), ExpectedVersion.NoStream, events(2), { em });
        await store.recordSnapshot({ sourceId: 'begun', sourceVersion: 1, sourceType: 'T', data: {} }, { em });
      } finally {
        await em.rollback();
      }
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it('joins a transaction opened with em.begin() and made durable with em.commit()', async () => {
      const id = stream('committed');
      const batch = withIds(2);
      const em = store.orm.em.fork();
      await em.begin();
      try {
        await store.appendToStream(id, ExpectedVersion.NoStream, batch, { em });
        await em.commit();
      } catch (error) {
        await em.rollback();
        throw error;
      }
      expect(await store.readStreamForward(id)).to.have.length(2);
      await untilInAll(store, batch.map((e) => e.eventId));
    });

    it('runs on its own (autocommit) with an EntityManager that is not in a transaction', async () => {
      const id = stream('plain');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(1), { em: store.orm.em.fork() });
      expect(await store.readStreamForward(id)).to.have.length(1);
    });
  });

  describe("with an EntityManager of the application's own MikroORM", () => {
    const appSchema = uniqueSchema('app');
    const storeSchema = uniqueSchema('tx_app');
    let appOrm: MikroORM;
    let store: EventStore;

    before(async () => {
      appOrm = await MikroORM.init({
        clientUrl: testDatabaseUrl(),
        schema: appSchema,
        entities: [Note],
        debug: false,
      });
      await appOrm.schema.createSchema({ schema: appSchema });
      store = new EventStore(appOrm, { schema: storeSchema, sequencerIntervalMs: 0 });
      await store.start();
    });

    after(async () => {
      await store?.close();
      await appOrm?.close(true);
      await dropSchema(storeSchema);
      await dropSchema(appSchema);
    });

    const notes = () => withClient(async (c) => (await c.query(`select text from "${appSchema}".notes order by id`)).rows.map((r) => r.text));

    it('uses the application ORM as store.orm', () => {
      expect(store.orm).to.equal(appOrm);
    });

    it("rolls back both the application's row and the events when the transaction throws", async () => {
      const before = await tableCounts(storeSchema);
      await inRolledBackTransaction(appOrm.em.fork(), async (em) => {
        em.persist(new Note('rolled back'));
        await em.flush();
        await store.appendToStream('app-stream', ExpectedVersion.NoStream, events(2), { em });
        await store.recordSnapshot({ sourceId: 'app', sourceVersion: 1, sourceType: 'T', data: {} }, { em });
      });
      expect(await notes()).to.deep.equal([]);
      expect(await tableCounts(storeSchema)).to.deep.equal(before);
    });

    it("commits the application's row and the events together", async () => {
      const batch = withIds(2);
      await appOrm.em.fork().transactional(async (em) => {
        em.persist(new Note('committed'));
        await store.appendToStream('app-stream', ExpectedVersion.NoStream, batch, { em });
      });
      expect(await notes()).to.deep.equal(['committed']);
      expect((await store.readStreamForward('app-stream')).map((e) => e.eventId)).to.deep.equal(batch.map((e) => e.eventId));
      await untilInAll(store, batch.map((e) => e.eventId));
    });

    it('leaves the application ORM usable after the store closes', async () => {
      const other = new EventStore(appOrm, { schema: storeSchema });
      await other.start();
      await other.close();
      const em = appOrm.em.fork();
      em.persist(new Note('after close'));
      await em.flush();
      expect(await notes()).to.include('after close');
    });
  });
});
