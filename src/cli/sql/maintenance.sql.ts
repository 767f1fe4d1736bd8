/** Destructive SQL of the command line tool (`reset`, `drop`), built from the validated, quoted schema name. */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';
import { BOOKKEEPING_TABLE, FUNCTION_PREFIX } from '../store-layout';

/** A lock held by an application (an open transaction on a store table) fails the command instead of hanging it. */
export const lockTimeout: Statement = { text: `set local lock_timeout = '10s'` };

export function maintenanceStatements(s: SchemaSql) {
  const list = (tables: readonly string[]) => tables.map((table) => s.t(quoteIdentifier(table))).join(', ');
  return {
    /** Every table of a dedicated schema but the migration bookkeeping; $1 schema name. */
    schemaTables: {
      text: `select tablename from pg_tables where schemaname = $1 and tablename <> '${BOOKKEEPING_TABLE}' order by tablename`,
    } satisfies Statement,

    /** Empties the tables and restarts their identities (no cascade: a foreign key from elsewhere refuses it). */
    truncate: (tables: readonly string[]): Statement => ({
      text: `truncate table ${list(tables)} restart identity`,
    }),

    dropSchema: { text: `drop schema ${s.quoted} cascade` } satisfies Statement,

    dropTables: (tables: readonly string[]): Statement => ({
      text: `drop table if exists ${list(tables)}`,
    }),

    /** The store's functions in the schema, as `name(argument types)`; $1 schema name. */
    storeFunctions: {
      text: `select format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) as signature
             from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = $1 and p.proname like '${FUNCTION_PREFIX.replace('_', '\\_')}%'
             order by p.proname`,
    } satisfies Statement,

    dropFunction: (signature: string): Statement => ({
      text: `drop function ${s.t(signature)}`,
    }),

    /** $1 the store's migration names. */
    forgetMigrations: {
      text: `delete from ${s.t(BOOKKEEPING_TABLE)} where name = any($1::text[])`,
    } satisfies Statement,

    /** Drops the bookkeeping table once no migration of anyone else is recorded in it. */
    dropBookkeepingIfEmpty: {
      text: `do $$ begin
               if not exists (select 1 from ${s.t(BOOKKEEPING_TABLE)}) then
                 drop table ${s.t(BOOKKEEPING_TABLE)};
               end if;
             end $$`,
    } satisfies Statement,
  };
}

/** Table names read from the catalog may hold any character; quoted exactly. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
