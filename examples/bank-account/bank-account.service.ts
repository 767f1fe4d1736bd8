/**
 * The application service: it receives the aggregate repository through its
 * constructor (plain injection; any container can provide it) and knows
 * nothing of the database.
 */
import { AggregateRepository } from 'mikro-orm-eventstore';
import { BankAccount } from './bank-account';

export class BankAccountService {
  constructor(private readonly accounts: AggregateRepository<BankAccount>) {}

  async open(accountId: string, owner: string, initialBalance: number): Promise<void> {
    const account = await this.accounts.load(accountId);
    account.open(owner, initialBalance);
    await this.accounts.save(account);
  }

  /** Optimistic concurrency: a concurrent change makes `update` reload and retry. */
  async deposit(accountId: string, amount: number): Promise<number> {
    const account = await this.accounts.update(accountId, (a) => a.deposit(amount));
    return account.balance;
  }

  async withdraw(accountId: string, amount: number): Promise<number> {
    const account = await this.accounts.update(accountId, (a) => a.withdraw(amount));
    return account.balance;
  }

  async balance(accountId: string): Promise<number> {
    return (await this.accounts.load(accountId)).balance;
  }
}
