/** Helpers shared by the store-foundation specs (test/repositories). */
import { withClient } from '../support/stores';
import { eventually } from '../support/wait';

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
    `${count} sessions wait on a lock in ${fragment}`,
    { timeoutMs, intervalMs: 20 },
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
