/**
 * Runs an example on a database: DATABASE_URL when set, else a private
 * embedded PostgreSQL started for the run and removed afterwards.
 */
import { startDatabase } from '../../support/database';

export async function runExample(name: string, main: (databaseUrl: string) => Promise<void>): Promise<void> {
  const database = await startDatabase();
  console.log(`${name} — PostgreSQL: ${database.embedded ? 'embedded, private to this run' : 'DATABASE_URL'}\n`);
  try {
    await main(database.url);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await database.stop();
  }
}

/** Waits until `condition` holds (events reach subscriptions asynchronously). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the example to settle');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
