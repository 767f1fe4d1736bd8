/** Row counts of a store's tables, to prove that a refused call wrote nothing. */
import { Client } from 'pg';
import { testDatabaseUrl } from './stores';

const STORE_TABLES = ['streams', 'events', 'stream_links', 'append_log', 'all_positions', 'snapshots', 'subscriptions'];

/**
 * The counts on one connection kept open, in one statement: cheap enough to
 * check after each of hundreds of refused calls. `tableCounts` is the one-off form.
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

/** The row count of each of the store's tables, by table name. */
export async function tableCounts(schema: string): Promise<Record<string, number>> {
  const counter = await TableCounter.open(schema);
  try {
    return await counter.counts();
  } finally {
    await counter.close();
  }
}
