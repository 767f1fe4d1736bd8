/**
 * Removes what an example created in its schema, and nothing else: its
 * read-model tables (named by the example) and the event store, as
 * `mikro-orm-eventstore drop --force` does. The schema goes too when that
 * leaves it empty; an application's tables in it would be kept.
 */
import { Client } from 'pg';
import { runCli } from '../../src/cli/program';

export async function removeExampleStore(clientUrl: string, schema: string, readModelTables: readonly string[] = []): Promise<void> {
  if (readModelTables.length > 0) {
    const client = new Client({ connectionString: clientUrl });
    await client.connect();
    try {
      await client.query(`drop table if exists ${readModelTables.map((table) => `"${schema}"."${table}"`).join(', ')}`);
    } finally {
      await client.end();
    }
  }
  let errors = '';
  const code = await runCli(['drop', '--force', '--schema', schema, '--url', clientUrl], {
    stdout: () => undefined,
    stderr: (text) => (errors += text),
    env: {},
  });
  if (code !== 0) throw new Error(`could not remove the example's store: ${errors.trim()}`);
}
