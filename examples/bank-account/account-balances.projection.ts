/**
 * Keeps the balances read model from the account events. Each batch of
 * events and the projection's checkpoint commit in one transaction, so a
 * crash never applies an event twice.
 *
 * `prepare` loads the batch's rows in one query; the handlers then change
 * those entities in memory, and the batch is written in one flush.
 */
import { Handles, Projection, ProjectionBatchContext, ProjectionContext, ProjectionResetContext } from 'mikro-orm-eventstore';
import { AccountBalance } from './account-balance.entity';
import { BankAccountOpened, MoneyDeposited, MoneyWithdrawn } from './events';

type Rows = Map<string, AccountBalance>;

@Projection('account-balances')
export class AccountBalances {
  async prepare(events: ReadonlyArray<{ accountId: string }>, { em }: ProjectionBatchContext): Promise<Rows> {
    const ids = [...new Set(events.map((event) => event.accountId))];
    const rows = await em.find(AccountBalance, { accountId: { $in: ids } });
    return new Map(rows.map((row) => [row.accountId, row]));
  }

  @Handles(BankAccountOpened)
  opened(event: BankAccountOpened, { em, prepared }: ProjectionContext<Rows>): void {
    const row = new AccountBalance(event.accountId, event.owner, event.initialBalance);
    em.persist(row);
    prepared.set(event.accountId, row);
  }

  @Handles(MoneyDeposited)
  deposited(event: MoneyDeposited, { prepared }: ProjectionContext<Rows>): void {
    const row = prepared.get(event.accountId)!;
    row.balance += event.amount;
    row.transactions += 1;
  }

  @Handles(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, { prepared }: ProjectionContext<Rows>): void {
    const row = prepared.get(event.accountId)!;
    row.balance -= event.amount;
    row.transactions += 1;
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AccountBalance, {});
  }
}
