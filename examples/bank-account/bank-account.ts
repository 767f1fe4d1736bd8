/** The BankAccount aggregate: its state changes only through its events. */
import { Aggregate, AggregateRoot, Apply } from 'mikro-orm-eventstore';
import { BankAccountOpened, MoneyDeposited, MoneyWithdrawn } from './events';

export class OverdraftRefusedError extends Error {
  constructor(readonly accountId: string, readonly balance: number, readonly amount: number) {
    super(`Withdrawal of ${amount} from ${accountId} refused: the balance is ${balance}`);
  }
}

@Aggregate('BankAccount', { snapshotEvery: 50 })
export class BankAccount extends AggregateRoot {
  owner = '';
  balance = 0;
  opened = false;

  open(owner: string, initialBalance: number): void {
    if (this.opened) throw new Error(`Account ${this.id} is already open`);
    this.raise(new BankAccountOpened(this.id, owner, initialBalance));
  }

  deposit(amount: number): void {
    this.assertOpen();
    if (!(amount > 0)) throw new Error(`Deposit must be positive, got ${amount}`);
    this.raise(new MoneyDeposited(this.id, amount));
  }

  withdraw(amount: number): void {
    this.assertOpen();
    if (!(amount > 0)) throw new Error(`Withdrawal must be positive, got ${amount}`);
    if (amount > this.balance) throw new OverdraftRefusedError(this.id, this.balance, amount);
    this.raise(new MoneyWithdrawn(this.id, amount));
  }

  @Apply(BankAccountOpened)
  protected onOpened(event: BankAccountOpened): void {
    this.opened = true;
    this.owner = event.owner;
    this.balance = event.initialBalance;
  }

  @Apply(MoneyDeposited)
  protected onDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }

  @Apply(MoneyWithdrawn)
  protected onWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
  }

  private assertOpen(): void {
    if (!this.opened) throw new Error(`Account ${this.id} is not open`);
  }
}
