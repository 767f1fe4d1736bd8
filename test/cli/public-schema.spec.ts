import { expect } from 'chai';
import { MIGRATIONS } from '../../migrations';
import { withClient } from '../support/stores';
import { runInProcess } from './cli-runner';
import { STORE_ENTITIES } from '../../src/entities';

/**
 * `public` is shared with the application: reset and drop touch the store's
 * objects only. Runs only on the private embedded server, whose `public`
 * schema belongs to this test run.
 */
describe('cli: a store in the public schema', () => {
  let created = false;

  before(async function () {
    if (!process.env.TEST_DATABASE_EMBEDDED) this.skip();
    const { rows } = await withClient((c) => c.query(`select coalesce(to_regclass('public.streams'), to_regclass('public.mikro_orm_migrations'), to_regclass('public.app_users')) is not null as taken`));
    if (rows[0].taken) this.skip();
    await withClient(async (c) => {
      await c.query('create table public.app_users (id int generated always as identity, name text)');
      await c.query(`insert into public.app_users (name) values ('ada')`);
    });
    created = true;
    const init = await runInProcess(['init']);
    expect(init.code, init.stderr).to.equal(0);
    // The application's own migration, recorded in the same bookkeeping table.
    await withClient((c) => c.query(`insert into public.mikro_orm_migrations (name) values ('AppMigration1')`));
  });

  after(async () => {
    if (!created) return;
    await runInProcess(['drop', '--force']);
    await withClient((c) => c.query('drop table if exists public.app_users, public.mikro_orm_migrations'));
  });

  it('reset empties the store but not the application tables', async () => {
    await withClient((c) => c.query(`insert into public.subscriptions (stream_id, name) values ('$all', 'p')`));
    const result = await runInProcess(['reset', '--force']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`emptied ${STORE_ENTITIES.length} tables`);
    expect(result.stdout).to.contain('kept what the store did not create: table app_users ');
    await withClient(async (c) => {
      expect((await c.query('select count(*)::int as n from public.subscriptions')).rows[0].n).to.equal(0);
      expect((await c.query('select name from public.app_users')).rows).to.deep.equal([{ name: 'ada' }]);
    });
  });

  it("drop removes the store's tables, functions and migration records and keeps the rest", async () => {
    const result = await runInProcess(['drop', '--force']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`  migration records: ${MIGRATIONS.length}\n`);
    expect(result.stdout).to.contain('kept schema "public" and what the store did not create: table app_users, table mikro_orm_migrations\n');
    await withClient(async (c) => {
      const tables = (await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map((r) => r.tablename);
      expect(tables).to.deep.equal(['app_users', 'mikro_orm_migrations']);
      const functions = (await c.query(`select proname from pg_proc where pronamespace = 'public'::regnamespace and proname like 'es\\_%'`)).rows;
      expect(functions).to.deep.equal([]);
      expect((await c.query('select name from public.mikro_orm_migrations')).rows).to.deep.equal([{ name: 'AppMigration1' }]);
      expect((await c.query('select name from public.app_users')).rows).to.deep.equal([{ name: 'ada' }]);
    });
    const status = await runInProcess(['status']);
    expect(status.code).to.equal(1);
  });
});
