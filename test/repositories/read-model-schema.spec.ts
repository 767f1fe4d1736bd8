/**
 * store.updateReadModelSchema(): creates and extends the read models'
 * tables and never drops, empties or renames anything, where MikroORM's
 * updateSchema (the usual call) drops every table it does not know.
 */
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { expect } from 'chai';
import { EventStore } from '../../src';
import { runInProcess } from '../cli/cli-runner';
import { dropSchema, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';

@Entity({ tableName: 'rm_cart_summaries' })
class CartSummary {
  @PrimaryKey({ type: 'text' }) cartId!: string;
  @Property({ type: 'integer' }) items = 0;
}

/** The same read model, a release later: one column more, one column (`items`) gone, an index. */
@Entity({ tableName: 'rm_cart_summaries' })
class CartSummaryV2 {
  @PrimaryKey({ type: 'text' }) cartId!: string;
  @Index({ name: 'rm_cart_summaries_total_index' })
  @Property({ type: 'integer', default: 0 }) total = 0;
}

@Entity({ tableName: 'rm_customers' })
class CustomerView {
  @PrimaryKey({ type: 'text' }) customerId!: string;
  @Property({ type: 'text' }) name!: string;
}

async function rows(sql: string): Promise<unknown[]> {
  return withClient(async (c) => (await c.query(sql)).rows);
}

async function columns(schema: string, table: string): Promise<string[]> {
  return withClient(async (c) => (await c.query(
    'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by column_name', [schema, table],
  )).rows.map((r) => r.column_name));
}

describe('store.updateReadModelSchema()', function () {
  this.timeout(60_000);

  describe('in a schema of its own that holds an application table', () => {
    const schema = uniqueSchema('rm_schema');
    const elsewhere = uniqueSchema('rm_elsewhere');
    let store: EventStore | undefined;

    before(async () => {
      await withClient((c) => c.query(`
        create schema "${schema}";
        create table "${schema}".app_users (id int primary key, name text);
        insert into "${schema}".app_users values (1, 'ada');
        create schema "${elsewhere}";
        create table "${elsewhere}".rm_cart_summaries (legacy text);
        insert into "${elsewhere}".rm_cart_summaries values ('untouched');`));
    });
    after(async () => {
      await store?.close();
      await dropSchema(schema);
      await dropSchema(elsewhere);
    });

    it("MikroORM's updateSchema would drop the application table (what this call avoids)", async () => {
      store = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema, entities: [CartSummary, CustomerView] });
      const sql = await store.orm.schema.getUpdateSchemaSQL({ schema });
      expect(sql).to.match(new RegExp(`drop table if exists "${schema}"\\."app_users"`));
    });

    it("creates the read models' tables and leaves the application's table and the store alone", async () => {
      const report = await store!.updateReadModelSchema();
      expect(report.skipped).to.deep.equal([]);
      expect(report.executed.filter((s) => s.startsWith('create table'))).to.have.length(2);
      for (const statement of report.executed) expect(statement).to.match(/rm_cart_summaries|rm_customers/);
      await withClient((c) => c.query(`insert into "${schema}".rm_cart_summaries (cart_id, items) values ('c1', 3)`));
      expect(await rows(`select * from "${schema}".app_users`)).to.deep.equal([{ id: 1, name: 'ada' }]);
      expect(await rows(`select * from "${elsewhere}".rm_cart_summaries`)).to.deep.equal([{ legacy: 'untouched' }]);
      // The store works as before.
      await store!.appendToStream('cart-1', 0, [{ eventType: 'CartOpened', data: {} }]);
      expect(await store!.readStreamForward('cart-1')).to.have.length(1);
    });

    it('is idempotent: a second call runs nothing', async () => {
      expect(await store!.updateReadModelSchema()).to.deep.equal({ executed: [], skipped: [] });
      expect(await rows(`select * from "${schema}".rm_cart_summaries`)).to.deep.equal([{ cart_id: 'c1', items: 3 }]);
    });

    it('adds what a new version of an entity needs and skips (and reports) the column it no longer has', async () => {
      await store!.close();
      store = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema, entities: [CartSummaryV2] });
      const report = await store.updateReadModelSchema();
      expect(report.executed.join('\n')).to.match(/add column "total"/);
      expect(report.executed.join('\n')).to.match(/create index "rm_cart_summaries_total_index"/);
      expect(report.skipped).to.deep.equal([`removed column items of ${schema}.rm_cart_summaries`]);
      for (const statement of report.executed) expect(statement).not.to.match(/\bdrop\b|\btruncate\b/i);
      expect(await columns(schema, 'rm_cart_summaries')).to.deep.equal(['cart_id', 'items', 'total']);
      expect(await rows(`select * from "${schema}".rm_cart_summaries`)).to.deep.equal([{ cart_id: 'c1', items: 3, total: 0 }]);
      // rm_customers is no longer among the entities: it is kept, rows and all.
      expect(await columns(schema, 'rm_customers')).to.deep.equal(['customer_id', 'name']);
      expect(await rows(`select * from "${schema}".app_users`)).to.deep.equal([{ id: 1, name: 'ada' }]);
    });

    it('refuses after close', async () => {
      const closed = await EventStore.connect({ clientUrl: testDatabaseUrl(), schema, entities: [CartSummaryV2] });
      await closed.close();
      const error = await closed.updateReadModelSchema().then(() => undefined, (e: Error) => e);
      expect(error?.name).to.equal('StoreClosedError');
    });
  });

  describe('in public (embedded server only: public belongs to this run there)', () => {
    let store: EventStore | undefined;
    let created = false;

    before(async function () {
      if (!process.env.TEST_DATABASE_EMBEDDED) this.skip();
      const [{ taken }] = (await rows(`select coalesce(to_regclass('public.streams'), to_regclass('public.mikro_orm_migrations'),
        to_regclass('public.rm_app_accounts'), to_regclass('public.rm_customers')) is not null as taken`)) as Array<{ taken: boolean }>;
      if (taken) this.skip();
      created = true;
      await withClient((c) => c.query(`create table public.rm_app_accounts (id int primary key); insert into public.rm_app_accounts values (42)`));
    });
    after(async () => {
      await store?.close();
      if (!created) return;
      await withClient((c) => c.query('drop table if exists public.rm_app_accounts, public.rm_customers'));
      await runInProcess(['drop', '--force']);
    });

    it("creates the read model beside the application's table and the store, dropping nothing", async () => {
      store = await EventStore.connect({ clientUrl: testDatabaseUrl(), entities: [CustomerView] });
      expect(await store.orm.schema.getUpdateSchemaSQL()).to.contain('drop table if exists "rm_app_accounts"');
      const report = await store.updateReadModelSchema();
      expect(report.executed).to.have.length(1);
      expect(report.executed[0]).to.match(/^create table "rm_customers"/);
      expect(await rows('select id from public.rm_app_accounts')).to.deep.equal([{ id: 42 }]);
      expect(await store.updateReadModelSchema()).to.deep.equal({ executed: [], skipped: [] });
    });
  });
});
