/**
 * What a schema holds, split into the store's own objects (see
 * store-layout.ts) and everything else, which maintenance leaves alone.
 */
import type { Client } from 'pg';
import { schemaObjects } from './sql/maintenance.sql';
import { StoreObjects, storeObjects } from './store-layout';

export interface SchemaObject {
  /** `table`, `view`, `function`, … */
  kind: string;
  name: string;
}

export interface SchemaInventory {
  /** The store's objects present in the schema. */
  store: StoreObjects;
  /** Every other table, view, sequence and function (MikroORM's bookkeeping table aside). */
  others: SchemaObject[];
}

const TABLE_KINDS = new Set(['table', 'foreign table']);

export async function readInventory(client: Client, schema: string): Promise<SchemaInventory> {
  const own = await storeObjects();
  const { rows } = await client.query<SchemaObject>(schemaObjects.text, [schema]);
  const store: StoreObjects = { tables: [], functions: [], sequences: [], views: [] };
  const others: SchemaObject[] = [];
  for (const object of rows) {
    const list = TABLE_KINDS.has(object.kind) && own.tables.includes(object.name) ? store.tables
      : (object.kind === 'function' || object.kind === 'procedure') && own.functions.includes(object.name) ? store.functions
        : object.kind === 'sequence' && own.sequences.includes(object.name) ? store.sequences
          : object.kind.endsWith('view') && own.views.includes(object.name) ? store.views
            : undefined;
    if (list) {
      if (!list.includes(object.name)) list.push(object.name);
    } else if (!others.some((o) => o.kind === object.kind && o.name === object.name)) {
      others.push(object); // an overloaded function once
    }
  }
  return { store, others };
}

/** `table app_users, view active_users` */
export function describeObjects(objects: readonly SchemaObject[]): string {
  return objects.map((o) => `${o.kind} ${o.name}`).join(', ');
}
