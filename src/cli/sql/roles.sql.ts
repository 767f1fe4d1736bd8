/**
 * Least privilege: an owner role that owns the store's objects (and so can
 * migrate them), an application role with only the rights the store needs
 * at run time (no DDL). The statements name only the store's own objects,
 * so that a shared schema (`public`) is otherwise left alone.
 */
import type { Client } from 'pg';

export const roleExists = `select 1 from pg_roles where rolname = $1`;

/** The store's tables present in the schema. */
export const presentTables = `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = $1 and c.relkind in ('r', 'p') and c.relname = any($2::text[]) order by c.relname`;

/** The sequences that belong to the store's tables (identity and serial columns). */
export const tableSequences = `select s.relname as name from pg_class s
  join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
  join pg_class t on t.oid = d.refobjid
  join pg_namespace n on n.oid = s.relnamespace
  where s.relkind = 'S' and n.nspname = $1 and t.relname = any($2::text[]) order by s.relname`;

/** The store's functions, with their argument types (to name them in GRANT / ALTER). */
export const storeFunctions = `select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = $1 and p.proname = any($2::text[]) order by 1`;

export function ident(client: Client, name: string): string {
  return client.escapeIdentifier(name);
}
