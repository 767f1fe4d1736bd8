import { expect } from 'chai';
import { MIGRATIONS } from '../../migrations';
import { STORE_ENTITIES } from '../../src/entities';
import { dropSchema, uniqueSchema, withClient } from '../support/stores';
import { runBin, runInProcess } from './cli-runner';

async function schemaExists(schema: string): Promise<boolean> {
  return withClient(async (c) => (await c.query('select 1 from pg_namespace where nspname = $1', [schema])).rows.length === 1);
}

describe('cli: drop', () => {
  const schema = uniqueSchema('cli_drop');

  before(async () => {
    const result = await runInProcess(['init', '--schema', schema]);
    expect(result.code, result.stderr).to.equal(0);
  });
  after(() => dropSchema(schema));

  it('refuses without --force, exits 1 and keeps the schema', async () => {
    const result = await runBin(['drop', '--schema', schema]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal(`error: refusing to drop schema "${schema}" without --force: drop deletes the event store and all its data\n`);
    expect(await schemaExists(schema)).to.equal(true);
  });

  it("with --force drops the store's objects, then the schema it leaves empty, and says so", async () => {
    const result = await runBin(['drop', '--schema', schema, '--force']);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal([
      `dropped the event store from schema "${schema}":`,
      '  tables: all_positions, append_log, events, parked_events, personal_data_keys, snapshots, stream_links, stream_retention, streams, subscriptions',
      '  functions: es_append, es_channel, es_delete, es_link, es_positions, es_recover, es_replay, es_sequence, es_sequencer_key, es_snapshot_state, es_sweep, es_truncate',
      `  migration records: ${MIGRATIONS.length} (and the mikro_orm_migrations table, which recorded nothing else)`,
      `dropped schema "${schema}" (nothing else was in it)`,
      '',
    ].join('\n'));
    expect(await schemaExists(schema)).to.equal(false);
  });

  it('keeps a schema that holds what the store did not create, and those objects with their rows', async () => {
    const shared = uniqueSchema('cli_drop_shared');
    try {
      await withClient(async (c) => {
        await c.query(`create schema "${shared}"`);
        await c.query(`create table "${shared}".users (id int primary key, name text)`);
        await c.query(`insert into "${shared}".users values (1, 'ada')`);
        await c.query(`create view "${shared}".user_names as select name from "${shared}".users`);
        await c.query(`create function "${shared}".es_user_count() returns bigint language sql as 'select count(*) from "${shared}".users'`);
      });
      expect((await runInProcess(['init', '--schema', shared])).code).to.equal(0);
      const result = await runInProcess(['drop', '--schema', shared, '--force']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain(`dropped the event store from schema "${shared}":\n  tables: all_positions, append_log, events, parked_events, personal_data_keys, snapshots, stream_links, stream_retention, streams, subscriptions\n`);
      expect(result.stdout).to.contain(`kept schema "${shared}" and what the store did not create: function es_user_count, table users, view user_names\n`);
      expect(await schemaExists(shared)).to.equal(true);
      await withClient(async (c) => {
        const objects = (await c.query(`select relname from pg_class where relnamespace = $1::regnamespace and relkind in ('r', 'v') order by 1`, [shared])).rows.map((r) => r.relname);
        expect(objects).to.deep.equal(['user_names', 'users']);
        expect((await c.query(`select * from "${shared}".user_names`)).rows).to.deep.equal([{ name: 'ada' }]);
        const functions = (await c.query(`select proname from pg_proc where pronamespace = $1::regnamespace`, [shared])).rows.map((r) => r.proname);
        expect(functions).to.deep.equal(['es_user_count']);
      });
    } finally {
      await dropSchema(shared);
    }
  });

  it("refuses, dropping nothing, when an object of someone else's depends on the store", async () => {
    const shared = uniqueSchema('cli_drop_dependent');
    try {
      expect((await runInProcess(['init', '--schema', shared])).code).to.equal(0);
      await withClient((c) => c.query(`create view "${shared}".event_types as select distinct event_type from "${shared}".events`));
      const result = await runInProcess(['drop', '--schema', shared, '--force']);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.match(new RegExp(`^error: cannot drop the event store from schema "${shared}": .*depend.* \\(view ${shared}\\.event_types depends on table ${shared}\\.events\\); nothing was dropped\n$`));
      await withClient(async (c) => {
        expect((await c.query(`select count(*)::int as n from pg_tables where schemaname = $1`, [shared])).rows[0].n).to.equal(STORE_ENTITIES.length + 1); // and mikro_orm_migrations
        expect((await c.query(`select * from "${shared}".event_types`)).rows).to.deep.equal([]);
      });
    } finally {
      await dropSchema(shared);
    }
  });

  it('leaves a schema that holds no store alone', async () => {
    const other = uniqueSchema('cli_drop_other');
    try {
      await withClient(async (c) => {
        await c.query(`create schema "${other}"`);
        await c.query(`create table "${other}".orders (id int)`);
      });
      const result = await runInProcess(['drop', '--schema', other, '--force']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.equal(`no event store in schema "${other}": nothing to drop\n`);
      expect(await schemaExists(other)).to.equal(true);
    } finally {
      await dropSchema(other);
    }
  });
});
