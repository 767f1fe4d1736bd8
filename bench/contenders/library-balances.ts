/**
 * The balances read model as a user of this library writes it, in the style
 * of docs/guide.md and the bank-account example: a MikroORM entity, and a
 * `@Projection` whose `@Handles(AccountCredited)` method loads the account's
 * row through `ctx.em` and adds the amount (or persists a new row). Loaded
 * by the library's worker only (the decorators register globally).
 */
import { DecimalType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Handles, Projection, ProjectionContext, ProjectionResetContext } from '../../src';
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

@Projection(BALANCES_PROJECTION)
export class BenchBalances {
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

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(BenchBalance, {});
  }
}
