/** Test helpers: a store per test file in a schema of its own, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EventStore, EventStoreConnectOptions } from '../../src';
import type { EventData } from '../../src';

// The table counter lives in table-counts.ts; re-exported for the specs that count with the rest of these helpers.
export { tableCounts } from './table-counts';

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with mocha (see .mocharc.json)');
  return url;
}

export function uniqueSchema(prefix: string): string {
  return `t_${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

export async function connectStore(prefix: string, options: Omit<EventStoreConnectOptions, 'clientUrl'> = {}): Promise<EventStore> {
  return EventStore.connect({ clientUrl: testDatabaseUrl(), schema: uniqueSchema(prefix), ...options });
}

/** Closes the store and drops its schema. */
export async function disposeStore(store: EventStore | undefined): Promise<void> {
  if (!store) return;
  const schema = store.schema;
  await store.close();
  await dropSchema(schema);
}

export async function dropSchema(schema: string): Promise<void> {
  await withClient((c) => c.query(`drop schema if exists "${schema}" cascade`));
}

export async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function events(count: number, type = 'TestEvent', from = 1): EventData[] {
  return Array.from({ length: count }, (_, i) => ({ eventType: type, data: { n: from + i }, metadata: { source: 'test' } }));
}

/** Resolves or rejects with the error, for assertions on typed errors. */
export async function caught(promise: Promise<unknown> | (() => unknown)): Promise<any> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}
