/**
 * Runs the store's migrations in a schema chosen at run time.
 *
 * MikroORM 6 has no per-schema migrations; the migration files are
 * unqualified, so they are applied in one transaction that starts with
 * `SET LOCAL search_path` to the store's schema. An
 * advisory lock keeps two processes from migrating one schema at once.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Migrator } from '@mikro-orm/migrations';
import { Client, ClientConfig } from 'pg';
import { connectionFailure } from './connection-errors';
import { quoteSchema } from '../repositories/schema-name';
import { migrationLockName } from '../protocol';

export interface MigrationReport {
  applied: string[];
}

/**
 * `lockConnection`: settings for a connection of its own that holds the
 * migration lock, so that the pool's connections all stay free for the
 * migration itself (a pool of one connection is enough).
 */
export async function migrateSchema(orm: MikroORM, schema: string, lockConnection: ClientConfig): Promise<MigrationReport> {
  const quoted = quoteSchema(schema);
  const migrator = orm.getMigrator() as Migrator;
  return withMigrationLock(lockConnection, schema, async () => {
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

async function withMigrationLock<T>(connection: ClientConfig, schema: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client(connection);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // Named after this connection's own server (a session URL may differ from the pool's).
    throw connectionFailure(error, { host: client.host, port: client.port, database: client.database }) ?? error;
  }
  try {
    // Released by the server if this process dies: the lock lives in the session.
    await client.query('select pg_advisory_lock(hashtext($1))', [migrationLockName(schema)]);
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}
