/**
 * The balances projection in Emmett 0.42.0: a `postgreSQLRawSQLProjection`
 * whose `evolve` returns one upsert per event, rebuilt with Emmett's own
 * `rebuildPostgreSQLProjections` (a consumer that stops when no messages are
 * left, with a projector that truncates the read model on start). Each
 * repetition is a new processor id, so that it starts from the beginning
 * with a checkpoint of its own: with `startFrom: 'BEGINNING'` it skips
 * reading the checkpoint, and every checkpoint write is then refused.
 * Emmett's projector runs each pulled batch in one transaction, but handles
 * it message by message: one upsert and one checkpoint statement per event.
 *
 * Pulling: pages of 1000 (its default is 100) with no pause between full
 * pages (`pullingFrequencyInMs: 0`; its default is 50 ms, which would add
 * 2.5 s of sleep to 50 pages). Its puller still waits 100 ms after the
 * first page (a fixed initial wait).
 *
 * Left out of the workload in 0.42.0 (see workloads/projection.ts).
 */
import { rawSql, sql, type Dumbo } from '@event-driven-io/dumbo';
import { postgreSQLRawSQLProjection, readProcessorCheckpoint, rebuildPostgreSQLProjections } from '@event-driven-io/emmett-postgresql';
import type { Pool } from 'pg';
import { EVENT_TYPE } from '../fixtures';
import { BALANCE_TOTALS, BalanceTotals, CREATE_BALANCES, RunningRebuild } from './balances';

type AccountCredited = { type: typeof EVENT_TYPE; data: { accountId: string; amount: number } };

const PULLING = { batchSize: 1000, pullingFrequencyInMs: 0 };

const balancesProjection = {
  ...postgreSQLRawSQLProjection<AccountCredited>({
    name: 'bench-balances',
    canHandle: [EVENT_TYPE],
    evolve: (event) => sql(
      `insert into public.bench_balances as b (account_id, balance, events) values (%L, %L, 1)
       on conflict (account_id) do update set balance = b.balance + excluded.balance, events = b.events + 1`,
      event.data.accountId, event.data.amount,
    ),
  }),
  // Called by the rebuild's projector on start (`truncateOnStart`), in its transaction.
  truncate: async ({ execute }: { execute: Dumbo['execute'] }) => {
    await execute.command(rawSql('delete from public.bench_balances'));
  },
};

export class EmmettBalances {
  private round = 0;
  private processorId?: string;

  constructor(
    private readonly db: Dumbo,
    private readonly pool: Pool,
    private readonly url: string,
  ) {}

  async setUp(): Promise<void> {
    await this.pool.query(CREATE_BALANCES);
  }

  rebuild(): RunningRebuild {
    const processorId = (this.processorId = `bench-balances-${++this.round}`);
    const consumer = rebuildPostgreSQLProjections<AccountCredited>({
      connectionString: this.url,
      pool: this.db,
      pulling: PULLING,
      projections: [{ projection: balancesProjection, processorId }],
    });
    // Counts what the consumer hands its projector: events and batches (one transaction each).
    const handed = { events: 0, batches: 0 };
    const [processor] = consumer.processors;
    const handle = processor.handle;
    processor.handle = async (messages, context) => {
      const result = await handle(messages, context);
      handed.events += messages.length;
      handed.batches++;
      return result;
    };
    const done = consumer.start().then(() => ({ ...handed }));
    return {
      done,
      async stop() {
        await consumer.stop();
        await done;
        return { ...handed };
      },
    };
  }

  async totals(): Promise<BalanceTotals> {
    const { rows: [totals] } = await this.pool.query(BALANCE_TOTALS);
    const { lastProcessedCheckpoint } = await readProcessorCheckpoint(this.db.execute, { processorId: this.processorId! });
    const { rows: [{ lag }] } = await this.pool.query(
      'select count(*)::int as lag from emt_messages where global_position > $1',
      [String(lastProcessedCheckpoint ?? 0n)],
    );
    return { rows: totals.rows, events: totals.events, amount: totals.amount, checkpoint: Number(lastProcessedCheckpoint ?? 0n), lag };
  }
}
