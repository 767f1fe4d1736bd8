import { expect } from 'chai';
import { MIGRATIONS as STORE_MIGRATIONS } from '../../migrations';
import { dropSchema, uniqueSchema, withClient } from '../support/stores';
import { runBin, runInProcess } from './cli-runner';

const MIGRATIONS = STORE_MIGRATIONS.map((m) => m.name);
const STORE_TABLES = ['all_positions', 'append_log', 'events', 'mikro_orm_migrations', 'snapshots', 'stream_links', 'streams', 'subscriptions'];

async function tablesOf(schema: string): Promise<string[]> {
  return withClient(async (c) => (await c.query('select tablename from pg_tables where schemaname = $1 order by tablename', [schema])).rows.map((r) => r.tablename));
}

async function migrationRows(schema: string): Promise<Array<{ id: number; name: string; executed_at: Date }>> {
  return withClient(async (c) => (await c.query(`select id, name, executed_at from "${schema}".mikro_orm_migrations order by id`)).rows);
}

describe('cli: init and migrate', () => {
  const schema = uniqueSchema('cli_init');
  after(() => dropSchema(schema));

  it('init creates the schema with its tables and names the migrations it ran', async () => {
    const result = await runBin(['init', '--schema', schema]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain(`created the event store in schema "${schema}"`);
    for (const name of MIGRATIONS) expect(result.stdout).to.contain(`applied ${name}`);
    expect(await tablesOf(schema)).to.include.members(STORE_TABLES);
    expect((await migrationRows(schema)).map((r) => r.name)).to.deep.equal(MIGRATIONS);
  });

  it('migrate on an up-to-date schema applies nothing and says so', async () => {
    const before = await migrationRows(schema);
    const result = await runBin(['migrate', '--schema', schema]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(`schema "${schema}" is up to date (${MIGRATIONS.length} migrations applied, none pending)\n`);
    expect(await migrationRows(schema)).to.deep.equal(before);
  });

  it('init on an existing store changes nothing and says it exists', async () => {
    const before = await migrationRows(schema);
    const result = await runInProcess(['init', '--schema', schema]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(`the event store in schema "${schema}" already exists (${MIGRATIONS.length} migrations applied)\n`);
    expect(await migrationRows(schema)).to.deep.equal(before);
  });

  it('migrate refuses a schema without a store (a mistyped --schema) and creates nothing', async () => {
    const typo = uniqueSchema('cli_migrate');
    try {
      const result = await runInProcess(['migrate', '--schema', typo]);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.equal(`error: no event store in schema "${typo}" (create one with: mikro-orm-eventstore init --schema ${typo})\n`);
      const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [typo]));
      expect(rows).to.deep.equal([]);
    } finally {
      await dropSchema(typo);
    }
  });

  it('migrate refuses a schema that holds other tables but no store, and leaves them alone', async () => {
    const other = uniqueSchema('cli_migrate_other');
    try {
      await withClient((c) => c.query(`create schema "${other}"; create table "${other}".orders (id int)`));
      const result = await runInProcess(['migrate', '--schema', other]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: no event store in schema/);
      expect(await tablesOf(other)).to.deep.equal(['orders']);
    } finally {
      await dropSchema(other);
    }
  });

  it("init fails, creating nothing, when the schema holds a table of someone else's under a store table's name", async () => {
    const taken = uniqueSchema('cli_init_taken');
    try {
      await withClient((c) => c.query(`create schema "${taken}"; create table "${taken}".events (id int); insert into "${taken}".events values (1)`));
      const result = await runInProcess(['init', '--schema', taken]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/relation "events" already exists/);
      expect(await tablesOf(taken)).to.deep.equal(['events', 'mikro_orm_migrations']);
      expect((await withClient((c) => c.query(`select * from "${taken}".events`))).rows).to.deep.equal([{ id: 1 }]);
      expect((await withClient((c) => c.query(`select count(*)::int as n from "${taken}".mikro_orm_migrations`))).rows[0].n).to.equal(0);
      // Nothing of a store there: drop leaves it all alone.
      expect((await runInProcess(['drop', '--schema', taken, '--force'])).stdout).to.equal(`no event store in schema "${taken}": nothing to drop\n`);
      expect(await tablesOf(taken)).to.deep.equal(['events', 'mikro_orm_migrations']);
    } finally {
      await dropSchema(taken);
    }
  });

  it('init into a schema that holds other tables creates the store beside them and names them', async () => {
    const shared = uniqueSchema('cli_init_shared');
    try {
      await withClient((c) => c.query(`create schema "${shared}"; create table "${shared}".users (id int); insert into "${shared}".users values (7)`));
      const result = await runInProcess(['init', '--schema', shared]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(`created the event store in schema "${shared}"\n`);
      expect(result.stdout).to.contain(`the schema already held what the store did not create: table users (reset and drop leave it alone)\n`);
      expect(await tablesOf(shared)).to.include.members([...STORE_TABLES, 'users']);
      expect((await withClient((c) => c.query(`select id from "${shared}".users`))).rows).to.deep.equal([{ id: 7 }]);
    } finally {
      await dropSchema(shared);
    }
  });
});
