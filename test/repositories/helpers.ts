/** Helpers shared by the store-foundation specs (test/repositories). */
import { Client } from 'pg';
import { testDatabaseUrl, withClient } from '../support/stores';

/** Resolves once `predicate` holds, polling every 20 ms; fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits until `count` sessions running a statement that contains `fragment`
 * (e.g. `"schema".es_append(`) wait on a row or transaction lock: proof that
 * concurrent calls are inside the database at the same time, past any check
 * made before the write.
 */
export async function waitForLockWaiters(fragment: string, count: number, timeoutMs = 5000): Promise<void> {
  await eventually(
    () => withClient(async (c) => {
      const { rows } = await c.query(
        `select count(*)::int as n from pg_stat_activity
         where wait_event_type = 'Lock' and wait_event in ('transactionid', 'tuple') and strpos(query, $1) > 0`, [fragment]);
      return rows[0].n as number;
    }),
    (n) => n >= count,
    timeoutMs,
  );
}

/** Splits settled results into successes and errors. */
export function outcomes<T>(results: PromiseSettledResult<T>[]): { ok: T[]; errors: unknown[] } {
  const ok: T[] = [];
  const errors: unknown[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') ok.push(r.value);
    else errors.push(r.reason);
  }
  return { ok, errors };
}

const STORE_TABLES = ['streams', 'events', 'stream_links', 'append_log', 'all_positions', 'snapshots', 'subscriptions'];

/**
 * The row counts of a store's tables (as `tableCounts` in test/support) on
 * one connection kept open, in one statement: cheap enough to check after
 * each of hundreds of refused calls that nothing was written.
 */
export class TableCounter {
  private constructor(private readonly client: Client, private readonly sql: string) {}

  static async open(schema: string): Promise<TableCounter> {
    const client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    const sql = `select ${STORE_TABLES.map((t) => `(select count(*)::int from "${schema}".${t}) as ${t}`).join(', ')}`;
    return new TableCounter(client, sql);
  }

  async counts(): Promise<Record<string, number>> {
    return { ...(await this.client.query(this.sql)).rows[0] };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
