/**
 * The balances read model as a user of this library writes it, following
 * docs/guide.md ("Batches and speed") and the bank-account example: a
 * MikroORM entity, and a `@Projection` whose `prepare` loads the batch's rows
 * in one query and whose `@Handles(AccountCredited)` method adds the amount
 * to the row (or persists a new one); the batch is written by one flush.
 * Loaded by the library's worker only (the decorators register globally).
 */
import { DecimalType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Handles, Projection, ProjectionBatchContext, ProjectionContext, ProjectionResetContext } from '../../src';
import { AccountCredited } from './library-account';

export const BALANCES_PROJECTION = 'bench-balances';

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

@Projection(BALANCES_PROJECTION)
export class BenchBalances {
  async prepare(events: readonly AccountCredited[], { em }: ProjectionBatchContext): Promise<Rows> {
    const rows = await em.find(BenchBalance, { accountId: { $in: [...new Set(events.map((e) => e.accountId))] } });
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

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(BenchBalance, {});
  }
}
