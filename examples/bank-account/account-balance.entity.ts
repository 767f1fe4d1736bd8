/** The read model: one row per account, kept by the AccountBalances projection. */
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'account_balances' })
export class AccountBalance {
  @PrimaryKey({ type: 'text' })
  accountId: string;

  @Property({ type: 'text' })
  owner: string;

  @Property({ type: 'integer' })
  balance: number;

  @Property({ type: 'integer' })
  transactions = 0;

  constructor(accountId: string, owner: string, balance: number) {
    this.accountId = accountId;
    this.owner = owner;
    this.balance = balance;
  }
}
