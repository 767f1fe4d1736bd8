/**
 * The entities are the single source of the schema: in a fresh database,
 * MikroORM's own CLI applies the migrations and then finds nothing left to
 * change (`migration:check`). A fresh database, because `migration:check`
 * diffs every schema of the database it looks at.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testDatabaseUrl, withClient } from '../support/stores';

const run = promisify(execFile);

describe('migrations and entities', function () {
  this.timeout(60_000);
  const database = `es_check_${randomBytes(4).toString('hex')}`;

  before(() => withClient((c) => c.query(`create database ${database}`)));
  after(() => withClient((c) => c.query(`drop database if exists ${database} with (force)`)));

  it('mikro-orm migration:up then migration:check: no changes required', async () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${database}`;
    const env = { ...process.env, DATABASE_URL: url.toString(), FORCE_COLOR: '0', NO_COLOR: '1' };
    const cli = ['node_modules/@mikro-orm/cli/cli.js'];
    const up = await run(process.execPath, [...cli, 'migration:up'], { env });
    expect(up.stdout + up.stderr).to.match(/Successfully migrated up to the latest version/);
    const check = await run(process.execPath, [...cli, 'migration:check'], { env });
    expect(check.stdout + check.stderr).to.match(/No changes required, schema is up-to-date/);
  });
});
