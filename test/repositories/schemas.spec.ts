import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { MIGRATIONS } from '../../migrations';
import { connectStore, disposeStore, dropSchema, events, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';

const ALL_MIGRATIONS = MIGRATIONS.map((m) => m.name);

/** The names of the tables and functions in the schema public. */
async function publicObjects(): Promise<string[]> {
  return withClient(async (c) => {
    const { rows } = await c.query(
      `select 'table ' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'
       union all
       select 'function ' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
       order by 1`);
    return rows.map((r) => r.name);
  });
}

describe('schemas and migrations', () => {
  describe('two stores in two schemas of one database', () => {
    let a: EventStore;
    let b: EventStore;

    before(async () => {
      [a, b] = await Promise.all([connectStore('iso_a'), connectStore('iso_b')]);
    });
    after(async () => {
      await disposeStore(a);
      await disposeStore(b);
    });

    it('are fully isolated: same stream ids, separate versions and separate $all positions', async () => {
      await a.appendToStream('shared', ExpectedVersion.NoStream, events(3, 'InA'));
      await b.appendToStream('shared', ExpectedVersion.NoStream, events(2, 'InB'));
      await a.appendToStream('only-a', ExpectedVersion.NoStream, events(1, 'InA'));
      // The same NoStream append succeeds in each schema.
      expect((await a.streamInfo('shared')).streamVersion).to.equal(3);
      expect((await b.streamInfo('shared')).streamVersion).to.equal(2);

      const allA = await a.readAllForward();
      const allB = await b.readAllForward();
      expect(allA.map((e) => e.position)).to.deep.equal([1, 2, 3, 4]);
      expect(allB.map((e) => e.position)).to.deep.equal([1, 2]);
      expect(allA.every((e) => e.eventType === 'InA')).to.equal(true);
      expect(allB.every((e) => e.eventType === 'InB')).to.equal(true);
      expect((await b.paginateStreams()).entries.map((e) => e.streamId)).to.deep.equal(['shared']);
      expect((await b.streamInfo('$all')).streamVersion).to.equal(2);

      // An event of one store cannot be linked from the other.
      const error = await b.linkToStream('links', ExpectedVersion.Any, [allA[0].eventId]).catch((e) => e);
      expect(error.code).to.equal('event_not_found');
    });

    it('keep snapshots apart', async () => {
      await a.recordSnapshot({ sourceId: 'x', sourceVersion: 1, sourceType: 'T', data: { in: 'a' } });
      expect((await b.readSnapshot('x').catch((e) => e)).code).to.equal('snapshot_not_found');
    });
  });

  it('applies every migration to a new schema, and none when reconnecting to an up-to-date one', async () => {
    const publicBefore = await publicObjects();
    const first = await connectStore('reconnect');
    try {
      expect(first.appliedMigrations).to.deep.equal(ALL_MIGRATIONS);
      // Tables and functions went to the store's schema, none to public.
      expect(await publicObjects()).to.deep.equal(publicBefore);
      const { rows } = await withClient((c) => c.query(
        `select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1 and p.proname like 'es\\_%'`,
        [first.schema]));
      expect(rows[0].n).to.be.greaterThan(5);
      await first.appendToStream('s', ExpectedVersion.NoStream, events(1));
      const again = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema: first.schema });
      try {
        expect(again.appliedMigrations).to.deep.equal([]);
        expect(await again.readStreamForward('s')).to.have.length(1);
      } finally {
        await again.close();
      }
    } finally {
      await disposeStore(first);
    }
  });

  it('lets two stores connect to one new schema at the same time; the migrations run once', async () => {
    const schema = uniqueSchema('race');
    const stores = await Promise.all([0, 1].map(() => EventStore.connect({ clientUrl: testDatabaseUrl(), schema })));
    try {
      const applied = stores.map((s) => s.appliedMigrations).sort((x, y) => y.length - x.length);
      expect(applied).to.deep.equal([ALL_MIGRATIONS, []]);
      const { rows } = await withClient((c) => c.query(`select name from "${schema}".mikro_orm_migrations order by id`));
      expect(rows.map((r) => r.name)).to.deep.equal(ALL_MIGRATIONS);
      await stores[0].appendToStream('s', ExpectedVersion.NoStream, events(1));
      expect(await stores[1].readStreamForward('s')).to.have.length(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  });

  describe('a migrated schema', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('migrated');
    });
    after(() => disposeStore(store));

    it("has no difference from the entities in MikroORM's per-schema diff", async () => {
      expect(await store.orm.schema.getUpdateSchemaSQL({ schema: store.schema })).to.equal('');
    });

    it('has a primary key on every table', async () => {
      const { rows } = await withClient((c) => c.query(
        `select c.relname, exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') as has_pk
         from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
         where ns.nspname = $1 and c.relkind in ('r', 'p') order by c.relname`, [store.schema]));
      expect(rows.map((r) => r.relname)).to.include.members(['all_positions', 'append_log', 'events', 'mikro_orm_migrations', 'snapshots', 'stream_links', 'streams', 'subscriptions']);
      expect(rows.filter((r) => !r.has_pk).map((r) => r.relname)).to.deep.equal([]);
    });

  });
});
