/**
 * Whether a schema holds an event store, and which of the store's
 * migrations it has run. Read-only: unlike MikroORM's Migrator, it creates
 * neither the schema nor the bookkeeping table when they are missing.
 */
import type { Client } from 'pg';
import { SchemaSql } from '../repositories/sql/naming';
import { inspectStatements, schemaPresence } from './sql/inspect.sql';
import { storeMigrations } from './store-layout';

export interface StoreState {
  schema: string;
  schemaExists: boolean;
  /** The store's migrations recorded in the schema, in the order they ran. */
  applied: string[];
  /** The store's migrations not run yet, in order. */
  pending: string[];
  /** True once at least one of the store's migrations ran in the schema. */
  hasStore: boolean;
}

export async function readStoreState(client: Client, schema: string): Promise<StoreState> {
  const { rows: [presence] } = await client.query(schemaPresence.text, [schema]);
  let executed: string[] = [];
  if (presence.has_bookkeeping) {
    const { rows } = await client.query(inspectStatements(new SchemaSql(schema)).executedMigrations.text);
    executed = rows.map((row: { name: string }) => row.name);
  }
  const known = storeMigrations();
  // In `public` the bookkeeping table may also hold the application's own migrations.
  const applied = executed.filter((name) => known.includes(name));
  const pending = known.filter((name) => !applied.includes(name));
  return { schema, schemaExists: presence.schema_exists, applied, pending, hasStore: applied.length > 0 };
}
