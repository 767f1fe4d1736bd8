/**
 * Runs the store's migrations in a schema chosen at run time.
 *
 * MikroORM 6 has no per-schema migrations; the migration files are
 * unqualified, so they are applied in one transaction that starts with
 * `SET LOCAL search_path` to the store's schema (TOOLCHAIN.md §5). An
 * advisory lock keeps two processes from migrating one schema at once.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Migrator } from '@mikro-orm/migrations';
import { quoteSchema } from './schema-name';

export interface MigrationReport {
  applied: string[];
}

export async function migrateSchema(orm: MikroORM, schema: string): Promise<MigrationReport> {
  const quoted = quoteSchema(schema);
  const migrator = orm.getMigrator() as Migrator;
  return withMigrationLock(orm, schema, async () => {
    // Creates the schema and its bookkeeping table, committed before the
    // migration transaction (doing it inside would deadlock against the
    // Migrator's own connection).
    await orm.em.getConnection().execute(`create schema if not exists ${quoted}`);
    await migrator.getExecutedMigrations();
    const applied = await orm.em.fork().transactional(async (em) => {
      await em.execute(`set local search_path to ${quoted}`);
      return migrator.up({ transaction: em.getTransactionContext() });
    });
    return { applied: applied.map((m) => m.name) };
  });
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const migrator = orm.getMigrator() as Migrator;
  return (await migrator.getPendingMigrations()).map((m) => m.name);
}

export async function executedMigrations(orm: MikroORM): Promise<string[]> {
  const migrator = orm.getMigrator() as Migrator;
  return (await migrator.getExecutedMigrations()).map((m) => m.name);
}

async function withMigrationLock<T>(orm: MikroORM, schema: string, fn: () => Promise<T>): Promise<T> {
  const client = orm.em.getConnection().getKnex().client;
  const connection = await client.acquireConnection();
  try {
    await connection.query('select pg_advisory_lock(hashtext($1))', [`mikro-orm-eventstore:migrate:${schema}`]);
    try {
      return await fn();
    } finally {
      await connection.query('select pg_advisory_unlock(hashtext($1))', [`mikro-orm-eventstore:migrate:${schema}`]);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}
