/**
 * `migrate`: applies the store's pending migrations and names them. It
 * upgrades an existing store only: a schema without one (a mistyped
 * `--schema`) is refused, `init` creates stores.
 */
import type { Command } from 'commander';
import { applyMigrations } from '../apply-migrations';
import { CliIo, println } from '../cli-io';
import { CliNoStoreError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { readStoreState } from '../store-state';

export function registerMigrate(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('migrate').description("apply the store's pending migrations (init creates a store)"))
    .action((flags: ConnectionFlags) => runMigrate(resolveConnection(flags, io.env), io));
}

export async function runMigrate({ url, schema }: ConnectionSettings, io: CliIo): Promise<void> {
  // Connects once on its own first, for a plain error when the server is unreachable.
  const before = await withDatabase(url, (client) => readStoreState(client, schema));
  if (!before.hasStore) throw new CliNoStoreError(schema);
  const applied = await applyMigrations(url, schema);
  if (applied.length === 0) {
    println(io, `schema "${schema}" is up to date (${before.applied.length} migrations applied, none pending)`);
    return;
  }
  println(io, `applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to schema "${schema}"`);
  for (const name of applied) println(io, `  applied ${name}`);
}
