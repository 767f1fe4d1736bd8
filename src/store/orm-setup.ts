/**
 * The MikroORM side of starting a store: the options of an ORM the store
 * owns (`EventStore.connect`) or of the ORM that runs its migrations on an
 * application's pool, and the pool's connection settings reused for the
 * store's dedicated connections.
 */
import type { Logger, MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/postgresql';
import type { ClientConfig } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { STORE_ENTITIES } from '../entities';
import { quoteSchema } from '../repositories/schema-name';
import type { SqlRunner } from '../repositories/sql-runner';
import type { ServerAddress } from './connection-errors';
import type { EventStoreConnectOptions, ResolvedStoreOptions } from './store-options';

let instances = 0;

/**
 * A context name of its own per ORM, so that one ORM's calls never resolve
 * to another ORM's EntityManager (MikroORM keeps the current context per name).
 */
function contextName(schema: string): string {
  return `eventstore:${schema}:${++instances}`;
}

/** The store's own MikroORM, for `EventStore.connect`; `knexLog.logger` is set once the ORM exists. */
export function ownOrm(options: EventStoreConnectOptions, resolved: ResolvedStoreOptions, clientUrl: string, knexLog: { logger?: Logger }): Promise<MikroORM> {
  return MikroORM.init({
    ...options.mikroOrm,
    // knex reports dead pool connections (after a server restart) on the console otherwise.
    driverOptions: withKnexLog(options.mikroOrm?.driverOptions, knexLog),
    clientUrl,
    schema: resolved.schema,
    entities: [...STORE_ENTITIES, ...((options.entities as unknown[]) ?? [])] as never,
    contextName: contextName(resolved.schema),
    extensions: [Migrator, ...(options.mikroOrm?.extensions ?? [])],
    migrations: migrationOptions(),
    discovery: { warnWhenNoEntities: false, ...options.mikroOrm?.discovery },
    ensureDatabase: false,
  });
}

/** An ORM of the store's entities on the application's pool, for migrations only. */
export function joinedMigrationOrm(orm: CoreMikroORM, schema: string): Promise<MikroORM> {
  return MikroORM.init({
    entities: STORE_ENTITIES,
    schema,
    dbName: orm.config.get('dbName'),
    driverOptions: knexOf(orm),
    contextName: contextName(schema),
    extensions: [Migrator],
    migrations: migrationOptions(),
    ensureDatabase: false,
    debug: false,
  });
}

/** Whether every migration of the store is recorded as applied in the schema (read only). */
export async function schemaUpToDate(runner: SqlRunner, schema: string): Promise<boolean> {
  const table = `${quoteSchema(schema)}.mikro_orm_migrations`;
  const [{ present }] = await runner.query<{ present: boolean }>({ text: 'select to_regclass($1) is not null as present' }, [table]);
  if (!present) return false;
  const rows = await runner.query<{ name: string }>({ text: `select name from ${table}` }, []);
  const applied = new Set(rows.map((row) => row.name));
  return MIGRATIONS.every((migration) => applied.has(migration.name));
}

function migrationOptions() {
  return { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true };
}

export function knexOf(orm: CoreMikroORM): Knex {
  return (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
}

/** Where the pool connects, for errors. */
export function serverOf(knex: Knex): ServerAddress {
  const settings = (knex.client as unknown as { connectionSettings?: Record<string, unknown> }).connectionSettings ?? {};
  return { host: settings.host, port: settings.port, database: settings.database };
}

/** Connection settings for the dedicated LISTEN / lock connection. */
export function sessionConnection(knex: Knex, sessionUrl: string | undefined): ClientConfig {
  if (sessionUrl) return { connectionString: sessionUrl };
  const settings = (knex.client as unknown as { connectionSettings: Record<string, unknown> }).connectionSettings ?? {};
  const { types: _types, ...rest } = settings;
  // knex keeps the password as a hidden (non-enumerable) property.
  return { ...rest, password: settings.password } as ClientConfig;
}

/** knex's log sent to MikroORM's logger (which prints only in debug mode), unless driverOptions is a knex instance. */
function withKnexLog(driverOptions: Record<string, unknown> | undefined, holder: { logger?: Logger }): Record<string, unknown> {
  if (typeof driverOptions === 'function' || driverOptions?.context) return driverOptions as Record<string, unknown>;
  const log = (message: unknown) => holder.logger?.warn('info', `[eventstore] knex: ${String(message)}`);
  return { log: { warn: log, error: log, deprecate: log, debug: () => undefined }, ...driverOptions };
}
