/**
 * What an event store owns in its schema, and nothing else: its tables (its
 * entities, the single source of the schema, and any table its migrations
 * create), the functions, sequences, types and views its migrations create,
 * and its rows in MikroORM's migration bookkeeping table. Maintenance
 * commands touch these objects only, in `public` and in a schema of its own
 * alike: whatever else a schema holds belongs to someone else.
 *
 * The migrations and entities are loaded on first use: they bring in
 * MikroORM (about half a second), which help, refusals and configuration
 * errors do not need.
 */

/** MikroORM's migration bookkeeping table (the store keeps MikroORM's default name). */
export const BOOKKEEPING_TABLE = 'mikro_orm_migrations';

/** The store's own objects of one kind, by unqualified name. */
export interface StoreObjects {
  tables: string[];
  functions: string[];
  sequences: string[];
  views: string[];
}

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

let objects: Promise<StoreObjects> | undefined;

/**
 * Every object the store creates, read from its migrations' SQL (they are
 * unqualified `create …` statements) and its entities. A migration whose
 * statements cannot be listed without a database contributes nothing: its
 * objects are then kept, never dropped.
 */
export function storeObjects(): Promise<StoreObjects> {
  objects ??= collectStoreObjects();
  return objects;
}

async function collectStoreObjects(): Promise<StoreObjects> {
  const { MIGRATIONS } = require('../../migrations') as typeof import('../../migrations');
  const found: StoreObjects = { tables: storeTables(), functions: [], sequences: [], views: [] };
  for (const { class: MigrationClass } of MIGRATIONS) {
    const migration = new MigrationClass(undefined as never, undefined as never);
    try {
      await migration.up();
    } catch {
      continue;
    }
    for (const sql of migration.getQueries()) collectCreated(String(sql), found);
  }
  for (const kind of Object.keys(found) as Array<keyof StoreObjects>) found[kind] = [...new Set(found[kind])];
  return found;
}

// Functions created through a DO block name their schema as `{s}.` (filled in when they run).
const CREATED = /\bcreate\s+(?:or\s+replace\s+)?(?:unlogged\s+)?(table|function|procedure|sequence|view|materialized\s+view)\s+(?:if\s+not\s+exists\s+)?(?:\{s\}\.)?"?([a-z_][a-z0-9_$]*)"?/gi;

function collectCreated(sql: string, into: StoreObjects): void {
  for (const [, kind, name] of sql.matchAll(CREATED)) {
    const k = kind.toLowerCase();
    if (k === 'table') into.tables.push(name);
    else if (k === 'function' || k === 'procedure') into.functions.push(name);
    else if (k === 'sequence') into.sequences.push(name);
    else into.views.push(name);
  }
}

/** `public` is the database's default schema: it is never dropped, even when the store leaves it empty. */
export function isDefaultSchema(schema: string): boolean {
  return schema === 'public';
}
