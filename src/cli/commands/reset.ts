/**
 * `reset` (development only): empties the store and restarts its
 * identities, so stream ids, subscriptions and `$all` positions start over
 * (the sequencer's state lives in `all_positions`, emptied too). In a
 * dedicated schema every table but the migration bookkeeping is emptied
 * (read models kept there included); in `public`, the store's tables only.
 */
import type { Command } from 'commander';
import type { Client } from 'pg';
import { SchemaSql } from '../../repositories/sql/naming';
import { CliIo, println } from '../cli-io';
import { CliNoStoreError, CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { inTransaction, withDatabase } from '../database';
import { lockTimeout, maintenanceStatements } from '../sql/maintenance.sql';
import { isSharedSchema, storeTables } from '../store-layout';
import { readStoreState } from '../store-state';

interface ResetFlags extends ConnectionFlags {
  force?: boolean;
}

export function registerReset(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('reset').description('development only: empty every table of the store and restart its positions'))
    .option('--force', 'really delete all the data')
    .action((flags: ResetFlags) => runReset(resolveConnection(flags, io.env), { force: flags.force === true }, io));
}

export async function runReset({ url, schema }: ConnectionSettings, options: { force: boolean }, io: CliIo): Promise<void> {
  if (!options.force) {
    throw new CliRefusedError(
      `refusing to reset schema "${schema}" without --force: reset deletes every stream, event, snapshot and subscription (development only)`,
    );
  }
  const tables = await withDatabase(url, async (client) => {
    const state = await readStoreState(client, schema);
    if (!state.hasStore) throw new CliNoStoreError(schema);
    const tables = await tablesToEmpty(client, schema);
    const sql = maintenanceStatements(new SchemaSql(schema));
    await inTransaction(client, async () => {
      await client.query(lockTimeout.text);
      await client.query(sql.truncate(tables).text);
    });
    return tables;
  });
  println(io, `reset the event store in schema "${schema}": emptied ${tables.length} tables (${tables.join(', ')}); positions restart at 1`);
}

async function tablesToEmpty(client: Client, schema: string): Promise<string[]> {
  if (isSharedSchema(schema)) return storeTables();
  const { rows } = await client.query(maintenanceStatements(new SchemaSql(schema)).schemaTables.text, [schema]);
  return rows.map((row: { tablename: string }) => row.tablename);
}
