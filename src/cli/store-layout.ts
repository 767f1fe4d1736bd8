/**
 * What an event store owns in its schema: its tables (from the entities,
 * the single source of the schema), its server-side functions (named `es_*`
 * by the migrations) and its rows in MikroORM's migration bookkeeping table.
 * Maintenance commands use this to touch nothing else in a shared schema.
 *
 * The migrations and entities are loaded on first use: they bring in
 * MikroORM (about half a second), which help, refusals and configuration
 * errors do not need.
 */

/** MikroORM's migration bookkeeping table (the store keeps MikroORM's default name). */
export const BOOKKEEPING_TABLE = 'mikro_orm_migrations';

/** Every server-side function of the store starts with this prefix (see migrations/). */
export const FUNCTION_PREFIX = 'es_';

/** The store's migrations, in order. */
export function storeMigrations(): string[] {
  const { MIGRATIONS } = require('../../migrations') as typeof import('../../migrations');
  return MIGRATIONS.map((m) => m.name);
}

/** The store's tables, in entity order. */
export function storeTables(): string[] {
  const { MetadataStorage } = require('@mikro-orm/core') as typeof import('@mikro-orm/core');
  const { STORE_ENTITIES } = require('../entities') as typeof import('../entities');
  return STORE_ENTITIES.map((entity) => {
    const tableName = MetadataStorage.getMetadataFromDecorator(entity).tableName;
    if (!tableName) throw new Error(`entity ${entity.name} has no table name`);
    return tableName;
  });
}

/**
 * `public` is shared with the application, so maintenance there touches the
 * store's own objects only; a dedicated schema belongs to the store whole.
 */
export function isSharedSchema(schema: string): boolean {
  return schema === 'public';
}
