/**
 * The balances projection written by hand on the library's schema: a loop
 * on one held connection that reads `$all` in pages of 1000 with the
 * library's `$all` SQL (hand-sql.sql.ts) and, per page, in one transaction:
 * one set-based upsert for the whole page (the page's credits summed per
 * account, then `insert … on conflict do update`), and the checkpoint moved
 * with a compare-and-set on its previous value (its row in the library's
 * subscriptions table), so that a batch commits with its checkpoint or not
 * at all. One statement per page rather than one per event: that is what a
 * hand-written catch-up loop would do. The next page is read after the
 * commit (no read-ahead).
 */
import type { Pool, PoolClient } from 'pg';
import { EVENT_TYPE } from '../fixtures';
import { BALANCE_TOTALS, BalanceTotals, CREATE_BALANCES, RebuildOutcome, RunningRebuild } from './balances';
import type { AllPage } from './contender';
import { CREATE_SUBSCRIPTION, LAST_POSITION, PAGE, RECORDED, TYPES, WINDOW_ROW } from './hand-sql.sql';

const SUBSCRIPTION = 'hand-balances';

/** `$1` account ids, `$2` amounts, one pair per event of the page. */
const UPSERT = {
  name: 'hand_balances_upsert',
  text: `insert into public.bench_balances as b (account_id, balance, events)
         select e.account_id, sum(e.amount), count(*) from unnest($1::text[], $2::numeric[]) as e(account_id, amount)
         group by e.account_id
         on conflict (account_id) do update set balance = b.balance + excluded.balance, events = b.events + excluded.events`,
};

/** `$1` the subscription row, `$2` the new checkpoint, `$3` the one the batch was read from. */
const CHECKPOINT_FROM = {
  name: 'hand_balances_checkpoint',
  text: 'update public.subscriptions set last_seen = $2 where id = $1 and last_seen = $3',
};

const RESET = { name: 'hand_balances_reset', text: 'update public.subscriptions set last_seen = 0 where id = $1' };

const CLEAR = { name: 'hand_balances_clear', text: 'delete from public.bench_balances' };

const CHECKPOINT_OF = { name: 'hand_balances_checkpoint_of', text: 'select last_seen from public.subscriptions where id = $1' };

type Row = unknown[];
type ReadAll = (db: PoolClient, after: number, count: number) => Promise<AllPage>;

export class HandBalances {
  private subscriptionId?: number;

  constructor(
    private readonly pool: Pool,
    private readonly readAll: ReadAll,
  ) {}

  async setUp(): Promise<void> {
    await this.pool.query(CREATE_BALANCES);
    const { rows: [{ id }] } = await this.pool.query({ ...CREATE_SUBSCRIPTION, values: [SUBSCRIPTION, 0], types: TYPES });
    this.subscriptionId = id;
  }

  rebuild(): RunningRebuild {
    const committed = { events: 0, batches: 0 };
    let stopped = false;
    const done = this.replay(committed, () => stopped).then(() => ({ ...committed }));
    return {
      done,
      async stop() {
        stopped = true;
        await done;
        return { ...committed };
      },
    };
  }

  /** Clears the table and the checkpoint, then applies page after page until a short one (or until stopped). */
  private async replay(committed: RebuildOutcome, stopped: () => boolean): Promise<void> {
    const id = this.subscriptionId!;
    const client = await this.pool.connect();
    try {
      await transaction(client, async () => {
        await client.query(CLEAR);
        await client.query({ ...RESET, values: [id] });
      });
      let cursor = 0;
      while (!stopped()) {
        const page = await this.readAll(client, cursor, PAGE);
        if (page.events.length === 0) break;
        const accounts: string[] = [];
        const amounts: number[] = [];
        for (const row of page.events as Row[]) {
          if (row[WINDOW_ROW.at + RECORDED.eventType] !== EVENT_TYPE) continue;
          const data = row[WINDOW_ROW.at + RECORDED.data] as { accountId: string; amount: number };
          accounts.push(data.accountId);
          amounts.push(data.amount);
        }
        await transaction(client, async () => {
          if (accounts.length > 0) await client.query({ ...UPSERT, values: [accounts, amounts] });
          const moved = await client.query({ ...CHECKPOINT_FROM, values: [id, page.next, cursor] });
          if (moved.rowCount !== 1) throw new Error(`the checkpoint of ${SUBSCRIPTION} moved away from ${cursor}: batch rolled back`);
        });
        cursor = page.next;
        committed.events += page.events.length;
        committed.batches++;
        if (page.events.length < PAGE) break;
      }
    } finally {
      client.release();
    }
  }

  async totals(): Promise<BalanceTotals> {
    const [{ rows: [totals] }, { rows: [{ last_seen: checkpoint }] }, { rows: [{ last_position: last }] }] = await Promise.all([
      this.pool.query(BALANCE_TOTALS),
      this.pool.query({ ...CHECKPOINT_OF, values: [this.subscriptionId], types: TYPES }),
      this.pool.query({ ...LAST_POSITION, types: TYPES }),
    ]);
    // Positions are dense here (nothing is deleted): the lag is the distance to the last one.
    return { rows: totals.rows, events: totals.events, amount: totals.amount, checkpoint, lag: last - checkpoint };
  }
}

async function transaction(client: PoolClient, body: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await body();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
