/**
 * `reset` (development only): empties the store's own tables and restarts
 * their identities, so stream ids, subscriptions and `$all` positions start
 * over (the sequencer's state lives in `all_positions`, emptied too). Tables
 * the store did not create (the application's, read models) are kept as
 * they are, in `public` and in a schema of its own alike, and named.
 */
import type { Command } from 'commander';
import { SchemaSql } from '../../repositories/sql/naming';
import { CliIo, println } from '../cli-io';
import { CliNoStoreError, CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { inTransaction, withDatabase } from '../database';
import { describeObjects, readInventory } from '../schema-inventory';
import { lockTimeout, maintenanceStatements } from '../sql/maintenance.sql';
import { readStoreState } from '../store-state';

interface ResetFlags extends ConnectionFlags {
  force?: boolean;
}

export function registerReset(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('reset').description("development only: empty the store's tables and restart its positions"))
    .option('--force', 'really delete all the data')
    .action((flags: ResetFlags) => runReset(resolveConnection(flags, io.env), { force: flags.force === true }, io));
}

export async function runReset({ url, schema }: ConnectionSettings, options: { force: boolean }, io: CliIo): Promise<void> {
  if (!options.force) {
    throw new CliRefusedError(
      `refusing to reset schema "${schema}" without --force: reset deletes every stream, event, snapshot and subscription (development only)`,
    );
  }
  const { tables, kept } = await withDatabase(url, async (client) => {
    const state = await readStoreState(client, schema);
    if (!state.hasStore) throw new CliNoStoreError(schema);
    return inTransaction(client, async () => {
      await client.query(lockTimeout.text);
      const { store, others } = await readInventory(client, schema);
      if (store.tables.length > 0) await client.query(maintenanceStatements(new SchemaSql(schema)).truncate(store.tables).text);
      return { tables: store.tables, kept: others.filter((o) => o.kind.endsWith('table')) };
    });
  });
  println(io, `reset the event store in schema "${schema}": emptied ${tables.length} tables (${tables.join(', ')}); positions restart at 1`);
  if (kept.length > 0) {
    println(io, `kept what the store did not create: ${describeObjects(kept)} (a projection's read model among them keeps its rows: clear it with rebuild)`);
  }
}
