/** Helpers of the retention specs. */
import { expect } from 'chai';
import { caught, tableCounts, withClient } from '../support/stores';

/** The store's table counts (test/support) and the retention table's. */
export async function countsWithRetention(schema: string): Promise<Record<string, number>> {
  const counts = await tableCounts(schema);
  counts.stream_retention = await withClient(async (c) =>
    (await c.query(`select count(*)::int as n from "${schema}".stream_retention`)).rows[0].n as number);
  return counts;
}

/** The error `attempt` fails with, after checking that it wrote nothing (retention table included). */
export async function refusedWithoutWrites(schema: string, attempt: () => Promise<unknown>): Promise<any> {
  const before = await countsWithRetention(schema);
  const error = await caught(attempt);
  expect(await countsWithRetention(schema)).to.deep.equal(before);
  return error;
}
