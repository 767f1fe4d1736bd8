/**
 * The balances read model as a user of this library writes it: a MikroORM
 * entity and three `@Projection`s into it.
 * - BenchBalances follows docs/guide.md ("Batches and speed"): its `prepare`
 *   loads the batch's rows in one query, its `@Handles(AccountCredited)`
 *   method adds the amount to the row (or persists a new one); the batch is
 *   written by one flush.
 * - BenchBalancesFindOne is the handler a MikroORM user writes first:
 *   `em.findOne` of the account's row per event, then the same change.
 * - BenchBalancesSetBased is the guide's set-based pattern: its `prepare`
 *   adds the batch's credits to the rows in one `insert … on conflict do
 *   update` through `ctx.em` (the statement of hand SQL's loop), outside the
 *   unit of work; its handler does nothing.
 * - BenchBalancesEverything is BenchBalancesSetBased with a second, empty
 *   handler for the log's other type, so that it reads all of `$all` (the
 *   filtered workload compares it with BenchBalancesSetBased, which reads
 *   only the credits).
 * Loaded by the library's worker only (the decorators register globally).
 */
import { DecimalType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Handles, Projection, ProjectionBatchContext, ProjectionContext, ProjectionResetContext } from '../../src';
import type { BalancesProjection } from './contender';
import { AccountCredited, AccountNoted } from './library-account';

@Entity({ tableName: 'bench_balances' })
export class BenchBalance {
  @PrimaryKey({ type: 'text' })
  accountId: string;

  @Property({ type: new DecimalType('number'), precision: 14, scale: 2 })
  balance: number;

  @Property({ type: 'integer' })
  events = 1;

  constructor(accountId: string, balance: number) {
    this.accountId = accountId;
    this.balance = balance;
  }
}

type Rows = Map<string, BenchBalance>;

abstract class ClearsBalances {
  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(BenchBalance, {});
  }
}

@Projection('bench-balances')
export class BenchBalances extends ClearsBalances {
  async prepare(events: readonly object[], { em }: ProjectionBatchContext): Promise<Rows> {
    const credits = events.filter((e): e is AccountCredited => e instanceof AccountCredited);
    const rows = await em.find(BenchBalance, { accountId: { $in: [...new Set(credits.map((e) => e.accountId))] } });
    return new Map(rows.map((row) => [row.accountId, row]));
  }

  @Handles(AccountCredited)
  credited(event: AccountCredited, { em, prepared }: ProjectionContext): void {
    const rows = prepared as Rows;
    const row = rows.get(event.accountId);
    if (row) {
      row.balance += event.amount;
      row.events += 1;
    } else {
      const created = new BenchBalance(event.accountId, event.amount);
      em.persist(created);
      rows.set(event.accountId, created);
    }
  }
}

@Projection('bench-balances-find-one')
export class BenchBalancesFindOne extends ClearsBalances {
  @Handles(AccountCredited)
  async credited(event: AccountCredited, { em }: ProjectionContext): Promise<void> {
    const row = await em.findOne(BenchBalance, { accountId: event.accountId });
    if (row) {
      row.balance += event.amount;
      row.events += 1;
    } else {
      em.persist(new BenchBalance(event.accountId, event.amount));
    }
  }
}

/** The batch's credits summed per account and added to the rows: one statement. */
const UPSERT = `insert into bench_balances as b (account_id, balance, events)
  select c.account_id, sum(c.amount), count(*) from jsonb_to_recordset(?::jsonb) as c(account_id text, amount numeric)
  group by c.account_id
  on conflict (account_id) do update set balance = b.balance + excluded.balance, events = b.events + excluded.events`;

@Projection('bench-balances-set-based')
export class BenchBalancesSetBased extends ClearsBalances {
  async prepare(events: readonly object[], { em }: ProjectionBatchContext): Promise<void> {
    const credits = events.filter((e): e is AccountCredited => e instanceof AccountCredited);
    if (credits.length === 0) return;
    await em.execute(UPSERT, [JSON.stringify(credits.map((e) => ({ account_id: e.accountId, amount: e.amount })))]);
  }

  @Handles(AccountCredited)
  credited(): void {
    // Applied by prepare, for the whole batch.
  }
}

@Projection('bench-balances-everything')
export class BenchBalancesEverything extends BenchBalancesSetBased {
  @Handles(AccountNoted)
  noted(): void {}
}

export const BALANCES_PROJECTIONS: Record<BalancesProjection, { name: string; projection: new () => object }> = {
  prepare: { name: 'bench-balances', projection: BenchBalances },
  'find-one': { name: 'bench-balances-find-one', projection: BenchBalancesFindOne },
  'set-based': { name: 'bench-balances-set-based', projection: BenchBalancesSetBased },
  everything: { name: 'bench-balances-everything', projection: BenchBalancesEverything },
};
