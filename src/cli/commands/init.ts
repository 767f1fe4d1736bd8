/**
 * `init`: creates the event store in its schema by running the migrations.
 * A schema that already holds other tables is fine: the command names them,
 * and `reset` and `drop` will leave them alone.
 */
import type { Command } from 'commander';
import { applyMigrations } from '../apply-migrations';
import { CliIo, println } from '../cli-io';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { describeObjects, readInventory } from '../schema-inventory';
import { readStoreState } from '../store-state';

export function registerInit(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('init').description('create the event store in its schema (runs the migrations)'))
    .action((flags: ConnectionFlags) => runInit(resolveConnection(flags, io.env), io));
}

export async function runInit({ url, schema }: ConnectionSettings, io: CliIo): Promise<void> {
  const { state, others } = await withDatabase(url, async (client) => ({
    state: await readStoreState(client, schema),
    others: (await readInventory(client, schema)).others,
  }));
  if (state.hasStore) {
    const pending = state.pending.length > 0 ? `; ${state.pending.length} pending, apply them with: mikro-orm-eventstore migrate --schema ${schema}` : '';
    println(io, `the event store in schema "${schema}" already exists (${state.applied.length} migrations applied${pending})`);
    return;
  }
  const applied = await applyMigrations(url, schema);
  println(io, `created the event store in schema "${schema}"`);
  for (const name of applied) println(io, `  applied ${name}`);
  if (others.length > 0) {
    println(io, `the schema already held what the store did not create: ${describeObjects(others)} (reset and drop leave it alone)`);
  }
}
