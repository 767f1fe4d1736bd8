/** The growth bench's own SQL on the store's tables: where `$all` ends, upkeep after a load, sizes. */
import type { EventStore } from '../../src';

/** The store's tables that grow with the events. */
export const GROWING_TABLES = ['events', 'all_positions', 'append_log', 'streams', 'stream_links'] as const;

export interface TableSize {
  table: string;
  /** Heap, TOAST and free-space map. */
  tableBytes: number;
  indexBytes: number;
}

const q = (store: EventStore, table: string) => `"${store.schema}"."${table}"`;

async function execute<T>(store: EventStore, sql: string): Promise<T[]> {
  return store.orm.em.getConnection().execute(sql) as Promise<T[]>;
}

/** The last `$all` position (no store of this bench deletes, so it is also the event count). */
export async function headPosition(store: EventStore): Promise<number> {
  const [row] = await execute<{ head: string | null }>(store,
    `select max(first_position + count - 1) as head from ${q(store, 'all_positions')}`);
  return Number(row.head ?? 0);
}

/** VACUUM (ANALYZE) of every growing table, as docs/large-stores.md advises after a bulk import. */
export async function vacuumAnalyze(store: EventStore): Promise<void> {
  for (const table of GROWING_TABLES) await execute(store, `vacuum (analyze) ${q(store, table)}`);
}

export async function checkpoint(store: EventStore): Promise<void> {
  await execute(store, 'checkpoint');
}

export async function tableSizes(store: EventStore): Promise<TableSize[]> {
  const rows = await execute<{ table: string; table_bytes: string; index_bytes: string }>(store, `
    select c.relname as table, pg_table_size(c.oid) as table_bytes, pg_indexes_size(c.oid) as index_bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = '${store.schema}' and c.relname in (${GROWING_TABLES.map((t) => `'${t}'`).join(', ')})
    order by pg_total_relation_size(c.oid) desc`);
  return rows.map((r) => ({ table: r.table, tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes) }));
}
