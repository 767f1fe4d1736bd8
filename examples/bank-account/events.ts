/** The bank account's events. The stored type names are independent of the class names. */
import { DomainEvent } from 'mikro-orm-eventstore';

@DomainEvent('BankAccountOpened')
export class BankAccountOpened {
  constructor(readonly accountId: string, readonly owner: string, readonly initialBalance: number) {}
}

@DomainEvent('MoneyDeposited')
export class MoneyDeposited {
  constructor(readonly accountId: string, readonly amount: number) {}
}

@DomainEvent('MoneyWithdrawn')
export class MoneyWithdrawn {
  constructor(readonly accountId: string, readonly amount: number) {}
}
