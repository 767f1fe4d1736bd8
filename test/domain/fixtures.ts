/**
 * Event classes and aggregates shared by the domain specs. Type and
 * aggregate names carry a `Spec` prefix: registrations are process-wide and
 * must not collide with those of examples loaded in the same run.
 */
import { Exclude, Type } from 'class-transformer';
import { Aggregate, AggregateRoot, Apply, BigIntField, DomainEvent } from '../../src';

@DomainEvent('SpecAccountOpened')
export class AccountOpened {
  constructor(readonly owner: string, readonly balance: number) {}
}

@DomainEvent('SpecMoneyDeposited')
export class MoneyDeposited {
  constructor(readonly amount: number) {}
}

@DomainEvent('SpecMoneyWithdrawn')
export class MoneyWithdrawn {
  constructor(readonly amount: number) {}
}

/** Registered, but no aggregate applies it. */
@DomainEvent('SpecAccountAudited')
export class AccountAudited {
  constructor(readonly auditor: string) {}
}

/** Not decorated: not a domain event. */
export class PlainNote {
  constructor(readonly text: string) {}
}

@Aggregate('SpecAccount')
export class Account extends AggregateRoot {
  owner = '';
  balance = 0;
  /** Events applied to this instance since it was built: not part of its state, so not in snapshots. */
  @Exclude() applied = 0;

  open(owner: string, amount: number): void {
    this.raise(new AccountOpened(owner, amount));
  }

  deposit(amount: number): void {
    this.raise(new MoneyDeposited(amount));
  }

  withdraw(amount: number): void {
    if (amount > this.balance) throw new Error('insufficient funds');
    this.raise(new MoneyWithdrawn(amount));
  }

  audit(auditor: string): void {
    this.raise(new AccountAudited(auditor));
  }

  note(text: string): void {
    this.raise(new PlainNote(text));
  }

  raiseAnything(event: unknown): void {
    this.raise(event as object);
  }

  @Apply(AccountOpened) opened(e: AccountOpened): void {
    this.owner = e.owner;
    this.balance = e.balance;
    this.applied++;
  }

  @Apply(MoneyDeposited) deposited(e: MoneyDeposited): void {
    this.balance += e.amount;
    this.applied++;
  }

  @Apply(MoneyWithdrawn) withdrawn(e: MoneyWithdrawn): void {
    this.balance -= e.amount;
    this.applied++;
  }
}

/** A nested value class. */
export class Money {
  @BigIntField() cents!: bigint;
  currency!: string;

  static of(cents: bigint, currency: string): Money {
    const money = new Money();
    money.cents = cents;
    money.currency = currency;
    return money;
  }

  format(): string {
    return `${this.cents} ${this.currency}`;
  }
}

export class LineItem {
  sku!: string;
  @Type(() => Money) price!: Money;
}

/** An event with nested classes, a date, bigints and an array of class instances. */
@DomainEvent('SpecOrderPlaced', { version: 1 })
export class OrderPlaced {
  orderId!: string;
  @Type(() => Date) placedAt!: Date;
  @BigIntField() sequence!: bigint;
  @BigIntField() checksums!: bigint[];
  @Type(() => Money) total!: Money;
  @Type(() => LineItem) items!: LineItem[];
  tags!: string[];

  constructor(orderId: string, placedAt: Date, sequence: bigint, total: Money, items: LineItem[], tags: string[], checksums: bigint[]) {
    this.orderId = orderId;
    this.placedAt = placedAt;
    this.sequence = sequence;
    this.total = total;
    this.items = items;
    this.tags = tags;
    this.checksums = checksums;
  }

  itemCount(): number {
    return this.items.length;
  }
}
