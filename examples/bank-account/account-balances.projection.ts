/**
 * Keeps the balances read model from the account events. Each batch of
 * events and the projection's checkpoint commit in one transaction, so a
 * crash never applies an event twice.
 */
import { Handles, Projection, ProjectionContext, ProjectionResetContext } from 'mikro-orm-eventstore';
import { AccountBalance } from './account-balance.entity';
import { BankAccountOpened, MoneyDeposited, MoneyWithdrawn } from './events';

@Projection('account-balances')
export class AccountBalances {
  @Handles(BankAccountOpened)
  opened(event: BankAccountOpened, { em }: ProjectionContext): void {
    em.persist(new AccountBalance(event.accountId, event.owner, event.initialBalance));
  }

  @Handles(MoneyDeposited)
  async deposited(event: MoneyDeposited, { em }: ProjectionContext): Promise<void> {
    const account = await em.findOneOrFail(AccountBalance, { accountId: event.accountId });
    account.balance += event.amount;
    account.transactions += 1;
  }

  @Handles(MoneyWithdrawn)
  async withdrawn(event: MoneyWithdrawn, { em }: ProjectionContext): Promise<void> {
    const account = await em.findOneOrFail(AccountBalance, { accountId: event.accountId });
    account.balance -= event.amount;
    account.transactions += 1;
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AccountBalance, {});
  }
}
