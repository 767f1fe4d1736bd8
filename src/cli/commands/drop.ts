/**
 * `drop`: removes the event store's own objects from its schema (its
 * tables, functions, sequences and views, and its migration records), in
 * `public` and in a schema of its own alike. The schema itself goes too
 * when nothing else is left in it (never `public`); whatever the store did
 * not create is kept, and the command says what it dropped and what it kept.
 */
import type { Command } from 'commander';
import type { Client } from 'pg';
import { SchemaSql } from '../../repositories/sql/naming';
import { CliIo, println } from '../cli-io';
import { CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { inTransaction, withDatabase } from '../database';
import { describeObjects, readInventory, SchemaObject } from '../schema-inventory';
import { lockTimeout, maintenanceStatements } from '../sql/maintenance.sql';
import { BOOKKEEPING_TABLE, isDefaultSchema, StoreObjects, storeMigrations } from '../store-layout';
import { readStoreState } from '../store-state';

interface DropFlags extends ConnectionFlags {
  force?: boolean;
}

/** What `drop` did. */
export interface DropReport {
  dropped: StoreObjects;
  /** Migration records of the store removed from the bookkeeping table. */
  forgottenMigrations: number;
  /** The bookkeeping table was dropped (it recorded nothing else). */
  droppedBookkeeping: boolean;
  /** What the store did not create, left in the schema. */
  kept: SchemaObject[];
  droppedSchema: boolean;
}

export function registerDrop(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('drop').description("drop the store's tables and functions (and its schema, when nothing else is in it)"))
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
    const report = await inTransaction(client, async () => {
      await client.query(lockTimeout.text);
      return dropStore(client, schema);
    }).catch((error: { code?: string; message?: string; detail?: string }) => {
      // 2BP01 dependent_objects_still_exist: something of someone else's (a view, a foreign key) uses the store.
      if (error?.code !== '2BP01') throw error;
      throw new CliRefusedError(`cannot drop the event store from schema "${schema}": ${error.message}${error.detail ? ` (${error.detail.replace(/\n/g, '; ')})` : ''}; nothing was dropped`);
    });
    printReport(io, schema, report);
  });
}

async function dropStore(client: Client, schema: string): Promise<DropReport> {
  const sql = maintenanceStatements(new SchemaSql(schema));
  const { store } = await readInventory(client, schema);
  if (store.views.length > 0) await client.query(sql.dropViews(store.views).text);
  if (store.tables.length > 0) await client.query(sql.dropTables(store.tables).text);
  if (store.functions.length > 0) {
    const { rows } = await client.query<{ signature: string }>(sql.functionSignatures.text, [schema, store.functions]);
    for (const { signature } of rows) await client.query(sql.dropFunction(signature).text);
  }
  if (store.sequences.length > 0) await client.query(sql.dropSequences(store.sequences).text);
  const forgotten = await client.query(sql.forgetMigrations.text, [storeMigrations()]);
  const { rows: [{ n: otherRecords }] } = await client.query<{ n: number }>(sql.bookkeepingRows.text);
  const droppedBookkeeping = otherRecords === 0;
  if (droppedBookkeeping) await client.query(sql.dropBookkeeping.text);
  const kept = (await readInventory(client, schema)).others;
  if (!droppedBookkeeping) {
    kept.push({ kind: 'table', name: BOOKKEEPING_TABLE });
    kept.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
  const droppedSchema = !isDefaultSchema(schema) && kept.length === 0 && (await dropIfEmpty(client, sql.dropEmptySchema.text));
  return { dropped: store, forgottenMigrations: forgotten.rowCount ?? 0, droppedBookkeeping, kept, droppedSchema };
}

/** Drops the schema unless PostgreSQL finds something left in it (a type, a domain, …): then it is kept. */
async function dropIfEmpty(client: Client, dropSchema: string): Promise<boolean> {
  await client.query('savepoint drop_schema');
  try {
    await client.query(dropSchema);
    return true;
  } catch (error) {
    // 2BP01 dependent_objects_still_exist
    if ((error as { code?: string }).code !== '2BP01') throw error;
    await client.query('rollback to savepoint drop_schema');
    return false;
  }
}

function printReport(io: CliIo, schema: string, report: DropReport): void {
  const { dropped } = report;
  println(io, `dropped the event store from schema "${schema}":`);
  const parts: Array<[string, string[]]> = [['tables', dropped.tables], ['views', dropped.views], ['functions', dropped.functions], ['sequences', dropped.sequences]];
  for (const [kind, names] of parts) if (names.length > 0) println(io, `  ${kind}: ${names.join(', ')}`);
  println(io, `  migration records: ${report.forgottenMigrations}${report.droppedBookkeeping ? ` (and the ${BOOKKEEPING_TABLE} table, which recorded nothing else)` : ''}`);
  if (report.droppedSchema) println(io, `dropped schema "${schema}" (nothing else was in it)`);
  else if (report.kept.length === 0) println(io, `kept schema "${schema}" (nothing of the store is left in it)`);
  else println(io, `kept schema "${schema}" and what the store did not create: ${describeObjects(report.kept)}`);
}
