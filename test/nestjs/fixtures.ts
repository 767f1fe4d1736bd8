/**
 * A small application for the NestJS specs: an aggregate, a service that
 * gets its repository injected, a projection and a persistent subscription
 * declared as providers. Names carry a `Nest` prefix: registrations are
 * process-wide.
 */
import { Injectable } from '@nestjs/common';
import {
  Aggregate,
  AggregateRepository,
  AggregateRoot,
  Apply,
  DomainEvent,
  EventStore,
  Handles,
  Projection,
  RecordedEvent,
  Subscription,
} from '../../src';
import { EventStoreSubscription, EventStoreSubscriptionHandler, InjectAggregateRepository, InjectEventStore } from '../../src/nestjs';

@DomainEvent('NestAccountOpened')
export class NestAccountOpened {
  constructor(readonly accountId: string, readonly balance: number) {}
}

@DomainEvent('NestMoneyDeposited')
export class NestMoneyDeposited {
  constructor(readonly accountId: string, readonly amount: number) {}
}

@Aggregate('NestAccount')
export class NestAccount extends AggregateRoot {
  balance = 0;

  open(balance: number): void {
    this.raise(new NestAccountOpened(this.id, balance));
  }

  deposit(amount: number): void {
    this.raise(new NestMoneyDeposited(this.id, amount));
  }

  @Apply(NestAccountOpened)
  protected opened(event: NestAccountOpened): void {
    this.balance = event.balance;
  }

  @Apply(NestMoneyDeposited)
  protected deposited(event: NestMoneyDeposited): void {
    this.balance += event.amount;
  }
}

/** An ordinary provider that the projection receives through its constructor. */
@Injectable()
export class BalanceBook {
  readonly balances = new Map<string, number>();
}

@Projection('nestjs-balances')
@Injectable()
export class BalancesProjection {
  constructor(private readonly book: BalanceBook) {}

  @Handles(NestAccountOpened)
  opened(event: NestAccountOpened): void {
    this.book.balances.set(event.accountId, event.balance);
  }

  @Handles(NestMoneyDeposited)
  deposited(event: NestMoneyDeposited): void {
    this.book.balances.set(event.accountId, (this.book.balances.get(event.accountId) ?? 0) + event.amount);
  }
}

@EventStoreSubscription('nestjs-deposits', { selector: (event) => event.eventType === 'NestMoneyDeposited' })
@Injectable()
export class DepositLog implements EventStoreSubscriptionHandler {
  readonly amounts: number[] = [];

  async handle(events: RecordedEvent[], subscription: Subscription): Promise<void> {
    for (const event of events) this.amounts.push((event.data as { amount: number }).amount);
    await subscription.ack(events);
  }
}

@Injectable()
export class AccountService {
  constructor(
    @InjectAggregateRepository(NestAccount) private readonly accounts: AggregateRepository<NestAccount>,
    @InjectEventStore() readonly store: EventStore,
    /** The same store, injected by its type. */
    readonly storeByType: EventStore,
  ) {}

  async open(id: string, balance: number): Promise<void> {
    const account = this.accounts.create(id);
    account.open(balance);
    await this.accounts.save(account);
  }

  async deposit(id: string, amount: number): Promise<number> {
    return (await this.accounts.update(id, (account) => account.deposit(amount))).balance;
  }
}

export const APPLICATION_PROVIDERS = [BalanceBook, BalancesProjection, DepositLog, AccountService];
