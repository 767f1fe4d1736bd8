/**
 * Creates and upgrades the tables of an application's read-model entities,
 * and nothing else: unlike MikroORM's `updateSchema`, which makes the whole
 * schema match the entities it knows (dropping every other table, an
 * application's own included), this compares only the read models' tables
 * and only adds to them. It never drops or empties a table, a column, an
 * index, a constraint or a schema; the changes that would need one (a
 * removed or renamed column, a changed index) are left out and reported.
 */
import type { EntityMetadata, MikroORM } from '@mikro-orm/core';
import {
  AbstractSqlConnection,
  AbstractSqlPlatform,
  DatabaseSchema,
  SchemaComparator,
  SqlSchemaGenerator,
  type SchemaDifference,
} from '@mikro-orm/postgresql';
import { STORE_ENTITIES } from '../entities';

export interface ReadModelSchemaReport {
  /** The statements run, in order (empty when the tables were up to date). */
  executed: string[];
  /** Changes the entities ask for that need a drop, left to the application's migrations. */
  skipped: string[];
}

/** A statement that removes something: never run, whatever the diff says. */
const DESTRUCTIVE = /^\s*(drop|truncate)\b|\bdrop\s+(column|constraint|table|schema|index|view|sequence|type)\b|\brename\b/i;

export async function updateReadModelSchema(orm: MikroORM, run = true): Promise<ReadModelSchemaReport> {
  const metas = readModelMetadata(orm);
  if (metas.length === 0) return { executed: [], skipped: [] };
  const config = orm.config;
  const platform = orm.em.getPlatform() as AbstractSqlPlatform;
  const connection = orm.em.getConnection() as AbstractSqlConnection;
  const toSchema = DatabaseSchema.fromMetadata(metas, platform, config);
  const wanted = new Set(toSchema.getTables().map(qualifiedName));
  const fromSchema = await DatabaseSchema.create(connection, platform, config, undefined, toSchema.getNamespaces(),
    toSchema.getTables().map((table) => table.name));
  // Same-named tables of other schemas were read too: they are not compared.
  const found = fromSchema.getTables();
  found.splice(0, found.length, ...found.filter((table) => wanted.has(qualifiedName(table))));

  const diff = new SchemaComparator(platform).compare(fromSchema, toSchema);
  // A schema without any read-model table yet may exist already (the store's own).
  for (const namespace of [...diff.newNamespaces]) {
    const found = await connection.execute<unknown[]>('select 1 from pg_namespace where nspname = ?', [namespace]);
    if (found.length > 0) diff.newNamespaces.delete(namespace);
  }
  const skipped = withoutRemovals(diff);
  const generator = orm.getSchemaGenerator() as unknown as SqlSchemaGenerator;
  const sql = await generator.diffToSQL(diff, { wrap: false, safe: true, dropTables: false });
  const executed: string[] = [];
  for (const statement of splitStatements(sql)) {
    if (DESTRUCTIVE.test(statement)) skipped.push(statement);
    else executed.push(statement);
  }
  if (run && executed.length > 0) {
    await orm.em.fork().transactional(async (em) => {
      for (const statement of executed) await connection.execute(statement, [], 'run', em.getTransactionContext());
    });
  }
  return { executed, skipped };
}

/** Every entity of the ORM with a table of its own, the store's own entities aside. */
function readModelMetadata(orm: MikroORM): EntityMetadata[] {
  const storeClasses = new Set<string>(STORE_ENTITIES.map((entity) => entity.name));
  return Object.values(orm.getMetadata().getAll())
    .filter((meta) => !meta.embeddable && !meta.virtual && !meta.expression && meta.tableName && !storeClasses.has(meta.className));
}

/** Takes out of the diff everything that removes (tables, columns, indexes, checks, keys, schemas) and describes it. */
function withoutRemovals(diff: SchemaDifference): string[] {
  const skipped: string[] = [];
  const note = (what: string, names: Iterable<string>) => {
    for (const name of names) skipped.push(`${what} ${name}`);
  };
  diff.removedTables = {};
  diff.removedNamespaces = new Set();
  diff.removedNativeEnums = [];
  diff.orphanedForeignKeys = [];
  for (const table of Object.values(diff.changedTables)) {
    const on = ` of ${table.name}`;
    // A rename is an addition here: the old column or index stays.
    for (const [old, column] of Object.entries(table.renamedColumns)) {
      table.addedColumns[column.name] = column;
      table.removedColumns[old] = table.fromTable.getColumn(old)!;
    }
    for (const [old, index] of Object.entries(table.renamedIndexes)) {
      table.addedIndexes[index.keyName] = index;
      table.removedIndexes[old] = table.fromTable.getIndex(old)!;
    }
    note('removed column', Object.keys(table.removedColumns).map((c) => c + on));
    note('removed index', Object.keys(table.removedIndexes).map((c) => c + on));
    note('changed index', Object.keys(table.changedIndexes).map((c) => c + on));
    note('removed check', Object.keys(table.removedChecks).map((c) => c + on));
    note('changed check', Object.keys(table.changedChecks).map((c) => c + on));
    note('removed foreign key', Object.keys(table.removedForeignKeys).map((c) => c + on));
    note('changed foreign key', Object.keys(table.changedForeignKeys).map((c) => c + on));
    table.removedColumns = {};
    table.renamedColumns = {};
    table.removedIndexes = {};
    table.changedIndexes = {};
    table.renamedIndexes = {};
    table.removedChecks = {};
    table.changedChecks = {};
    table.removedForeignKeys = {};
    table.changedForeignKeys = {};
  }
  return skipped;
}

function qualifiedName(table: { schema?: string; name: string }): string {
  return `${table.schema ?? ''}.${table.name}`;
}

/** The generator's SQL is one statement per line, each ending with `;`. */
function splitStatements(sql: string): string[] {
  return sql.split(/;\n/).map((s) => s.trim()).filter((s) => s !== '' && s !== ';').map((s) => s.replace(/;$/, ''));
}
