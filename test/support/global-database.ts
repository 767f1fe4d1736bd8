/**
 * Mocha global fixture: one PostgreSQL for the whole run. With
 * DATABASE_URL set it is that server; without it, a private embedded server
 * (support/database.ts) that is removed after the run. Child processes that
 * tests start find the URL in TEST_DATABASE_URL.
 */
import { Database, startDatabase } from '../../support/database';

let database: Database | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  database = await startDatabase();
  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_DATABASE_EMBEDDED = database.embedded ? '1' : '';
  process.stdout.write(`  PostgreSQL: ${database.embedded ? 'embedded, private to this run' : 'DATABASE_URL'}\n`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await database?.stop();
}

/** Restarts the server under the tests (embedded server only). */
export async function restartDatabase(): Promise<void> {
  if (!database) throw new Error('no database');
  await database.restart();
}
