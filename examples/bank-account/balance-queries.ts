/**
 * The query side: reads the balances read model. A caller that has just run
 * a command passes the `$all` position of its events, and the query waits
 * until the projection has committed that far (read your own writes),
 * woken by the projection's checkpoint commit rather than by polling.
 */
import { EventStore, ProjectionRunner } from 'mikro-orm-eventstore';
import { AccountBalance } from './account-balance.entity';

export class BalanceQueries {
  constructor(private readonly store: EventStore, private readonly projections: ProjectionRunner) {}

  /** The account's row, with every event up to `afterPosition` applied. */
  async balance(accountId: string, afterPosition = 0): Promise<AccountBalance | null> {
    await this.projections.waitFor('account-balances', afterPosition, { timeoutMs: 5000 });
    return this.store.orm.em.fork().findOne(AccountBalance, { accountId });
  }

  async all(afterPosition = 0): Promise<AccountBalance[]> {
    await this.projections.waitFor('account-balances', afterPosition, { timeoutMs: 5000 });
    return this.store.orm.em.fork().find(AccountBalance, {}, { orderBy: { accountId: 'asc' } });
  }
}
