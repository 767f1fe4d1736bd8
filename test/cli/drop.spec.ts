import { expect } from 'chai';
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

  it('with --force drops the schema', async () => {
    const result = await runBin(['drop', '--schema', schema, '--force']);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(`dropped schema "${schema}"\n`);
    expect(await schemaExists(schema)).to.equal(false);
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
