/**
 * The account of bench/contenders/account.ts as the library's domain layer
 * has it: a decorated event class and an aggregate with an `@Apply` handler.
 * Loaded by the library's worker only (the decorators register globally).
 */
import { Aggregate, AggregateRoot, Apply, DomainEvent } from '../../src';
import { EVENT_DATA, EVENT_TYPE } from '../fixtures';
import { ACCOUNT_AGGREGATE } from './account';
import { NOTED_TYPE } from './balances';

@DomainEvent(EVENT_TYPE)
export class AccountCredited {
  // The fixture's fields, in its order, so that the stored JSON is the fixture's.
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly currency: string,
    readonly balance: number,
    readonly reference: string,
    readonly description: string,
    readonly creditedAt: string,
    readonly channel: string,
  ) {}
}

/** The log's other events in the filtered projection workload: the credit's data under another type. */
@DomainEvent(NOTED_TYPE)
export class AccountNoted {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly currency: string,
    readonly balance: number,
    readonly reference: string,
    readonly description: string,
    readonly creditedAt: string,
    readonly channel: string,
  ) {}
}

@Aggregate(ACCOUNT_AGGREGATE)
export class BenchAccount extends AggregateRoot {
  balance = 0;

  credit(): void {
    const d = EVENT_DATA;
    this.raise(new AccountCredited(d.accountId, d.amount, d.currency, d.balance, d.reference, d.description, d.creditedAt, d.channel));
  }

  @Apply(AccountCredited)
  credited(event: AccountCredited): void {
    this.balance += event.amount;
  }
}
