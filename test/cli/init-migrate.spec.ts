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

  it('migrate on a schema without a store creates it and names each migration', async () => {
    const fresh = uniqueSchema('cli_migrate');
    try {
      const result = await runInProcess(['migrate', '--schema', fresh]);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.equal(`applied ${MIGRATIONS.length} migrations to schema "${fresh}"\n${MIGRATIONS.map((m) => `  applied ${m}\n`).join('')}`);
      expect(await tablesOf(fresh)).to.include.members(STORE_TABLES);
    } finally {
      await dropSchema(fresh);
    }
  });
});
