/**
 * `drop`: removes the event store. A dedicated schema is dropped whole;
 * from `public`, which the application shares, only the store's tables,
 * functions and migration records are removed.
 */
import type { Command } from 'commander';
import type { Client } from 'pg';
import { SchemaSql } from '../../repositories/sql/naming';
import { CliIo, println } from '../cli-io';
import { CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { inTransaction, withDatabase } from '../database';
import { lockTimeout, maintenanceStatements } from '../sql/maintenance.sql';
import { isSharedSchema, storeMigrations, storeTables } from '../store-layout';
import { readStoreState } from '../store-state';

interface DropFlags extends ConnectionFlags {
  force?: boolean;
}

export function registerDrop(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('drop').description("drop the store's schema and everything in it"))
    .option('--force', 'really drop it')
    .action((flags: DropFlags) => runDrop(resolveConnection(flags, io.env), { force: flags.force === true }, io));
}

export async function runDrop({ url, schema }: ConnectionSettings, options: { force: boolean }, io: CliIo): Promise<void> {
  if (!options.force) {
    throw new CliRefusedError(`refusing to drop schema "${schema}" without --force: drop deletes the event store and all its data`);
  }
  await withDatabase(url, async (client) => {
    const state = await readStoreState(client, schema);
    // A schema without a store is left alone, whatever else it holds.
    if (!state.hasStore) {
      println(io, `no event store in schema "${schema}": nothing to drop`);
      return;
    }
    await inTransaction(client, async () => {
      await client.query(lockTimeout.text);
      if (isSharedSchema(schema)) await dropStoreObjects(client, schema);
      else await client.query(maintenanceStatements(new SchemaSql(schema)).dropSchema.text);
    });
    println(io, isSharedSchema(schema)
      ? `dropped the event store from schema "${schema}" (its tables, functions and migration records; the schema is kept)`
      : `dropped schema "${schema}"`);
  });
}

async function dropStoreObjects(client: Client, schema: string): Promise<void> {
  const sql = maintenanceStatements(new SchemaSql(schema));
  await client.query(sql.dropTables(storeTables()).text);
  const { rows } = await client.query(sql.storeFunctions.text, [schema]);
  for (const { signature } of rows as Array<{ signature: string }>) await client.query(sql.dropFunction(signature).text);
  await client.query(sql.forgetMigrations.text, [storeMigrations()]);
  await client.query(sql.dropBookkeepingIfEmpty.text);
}
