/** Helpers of the retention specs. */
import { tableCounts, withClient } from '../support/stores';

/** The store's table counts (test/support) and the retention table's. */
export async function countsWithRetention(schema: string): Promise<Record<string, number>> {
  const counts = await tableCounts(schema);
  counts.stream_retention = await withClient(async (c) =>
    (await c.query(`select count(*)::int as n from "${schema}".stream_retention`)).rows[0].n as number);
  return counts;
}
