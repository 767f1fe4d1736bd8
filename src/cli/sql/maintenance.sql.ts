/**
 * SQL of the command line tool's maintenance (`init`, `reset`, `drop`),
 * built from the validated, quoted schema name. Every destructive statement
 * names the store's own objects one by one: none drops or empties a schema's
 * content wholesale.
 */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';
import { BOOKKEEPING_TABLE } from '../store-layout';

/** A lock held by an application (an open transaction on a store table) fails the command instead of hanging it. */
export const lockTimeout: Statement = { text: `set local lock_timeout = '10s'` };

/**
 * Relations (tables, views, sequences not owned by a column) and functions
 * of a schema, but MikroORM's migration bookkeeping table; $1 schema name.
 */
export const schemaObjects: Statement = {
  text: `select kind, name from (
           select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'
                                 when 'f' then 'foreign table' else 'table' end as kind,
                  c.relname::text as name
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and not c.relispartition
             and c.relname <> '${BOOKKEEPING_TABLE}'
             and not (c.relkind = 'S' and exists (select 1 from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))
           union all
           select case p.prokind when 'p' then 'procedure' else 'function' end, p.proname::text
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = $1
         ) o order by kind, name`,
};

export function maintenanceStatements(s: SchemaSql) {
  const list = (names: readonly string[]) => names.map((name) => s.t(quoteIdentifier(name))).join(', ');
  return {
    /** Empties the tables and restarts their identities (no cascade: a foreign key from elsewhere refuses it). */
    truncate: (tables: readonly string[]): Statement => ({
      text: `truncate table ${list(tables)} restart identity`,
    }),

    /** No cascade: an object of someone else's that depends on one of them (a view, a foreign key) refuses it. */
    dropTables: (tables: readonly string[]): Statement => ({ text: `drop table ${list(tables)}` }),
    dropViews: (views: readonly string[]): Statement => ({ text: `drop view ${list(views)}` }),
    dropSequences: (sequences: readonly string[]): Statement => ({ text: `drop sequence ${list(sequences)}` }),
    dropTypes: (types: readonly string[]): Statement => ({ text: `drop type ${list(types)}` }),

    /** Signatures (`name(argument types)`) of the functions of these names in the schema; $1 schema name, $2 names. */
    functionSignatures: {
      text: `select format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) as signature
             from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = $1 and p.proname = any($2::text[])
             order by p.proname, 1`,
    } satisfies Statement,

    dropFunction: (signature: string): Statement => ({
      text: `drop function ${s.t(signature)}`,
    }),

    /** $1 the store's migration names; returns one row per record removed. */
    forgetMigrations: {
      text: `delete from ${s.t(BOOKKEEPING_TABLE)} where name = any($1::text[]) returning name`,
    } satisfies Statement,

    /** Whether the bookkeeping table still records migrations of someone else. */
    bookkeepingRows: {
      text: `select count(*)::int as n from ${s.t(BOOKKEEPING_TABLE)}`,
    } satisfies Statement,

    dropBookkeeping: { text: `drop table ${s.t(BOOKKEEPING_TABLE)}` } satisfies Statement,

    /** Without cascade: PostgreSQL refuses when anything at all is left in the schema. */
    dropEmptySchema: { text: `drop schema ${s.quoted} restrict` } satisfies Statement,
  };
}

/** Names read from the catalog may hold any character; quoted exactly. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
