/**
 * The bank-account example, end to end:
 * - a BankAccount aggregate (open, deposit, withdraw; an overdraft is refused),
 * - a service that receives its aggregate repository by injection,
 * - a projection keeping a balances read model (MikroORM entities),
 * - a persistent subscription raising alerts on large withdrawals.
 *
 *   npm start        (embedded PostgreSQL unless DATABASE_URL is set)
 */
import { EventStore, ProjectionRunner } from 'mikro-orm-eventstore';
import { removeExampleStore } from '../support/remove-example-store';
import { runExample, until } from '../support/run-example';
import { AccountBalance } from './account-balance.entity';
import { AccountBalances } from './account-balances.projection';
import { startLargeWithdrawalAlerts } from './alerts';
import { BankAccount, OverdraftRefusedError } from './bank-account';
import { BankAccountService } from './bank-account.service';

const SCHEMA = 'bank_example';
/** The example's own read model, removed with its store at the end. */
const READ_MODEL_TABLES = ['account_balances'];

runExample('Bank account example', async (clientUrl) => {
  await removeExampleStore(clientUrl, SCHEMA, READ_MODEL_TABLES); // a rerun on DATABASE_URL starts from scratch
  // The read-model entities join the store's MikroORM.
  const store = await EventStore.connect({ clientUrl, schema: SCHEMA, entities: [AccountBalance] });
  await store.updateReadModelSchema(); // creates account_balances; never drops anything
  const projections = store.projections([AccountBalances]);
  try {
    await projections.start();
    const alerts: string[] = [];
    const subscription = await startLargeWithdrawalAlerts(store, (line) => alerts.push(line));

    // The service gets its repository through its constructor.
    const bank = new BankAccountService(store.aggregateRepository(BankAccount));

    await bank.open('alice', 'Alice', 100);
    await bank.open('bob', 'Bob', 50);
    console.log('opened alice with 100, bob with 50');

    console.log(`alice deposits 250 -> balance ${await bank.deposit('alice', 250)}`);
    console.log(`alice withdraws 120 -> balance ${await bank.withdraw('alice', 120)}`);
    try {
      await bank.withdraw('bob', 500);
    } catch (error) {
      if (!(error instanceof OverdraftRefusedError)) throw error;
      console.log(`bob withdraws 500 -> refused: ${error.message}`);
    }

    // Two deposits racing on one account: optimistic concurrency makes one
    // of them reload and retry, and both are applied.
    await Promise.all([bank.deposit('bob', 10), bank.deposit('bob', 20)]);
    console.log(`two concurrent deposits to bob (10 and 20) -> balance ${await bank.balance('bob')}`);

    await until(() => alerts.length === 1);
    for (const line of alerts) console.log(line);

    // The projection catches up within milliseconds (woken by the appends' notifications).
    await untilCaughtUp(projections);
    const balances = await store.orm.em.fork().find(AccountBalance, {}, { orderBy: { accountId: 'asc' } });
    console.log('\nread model (account_balances), kept by the account-balances projection:');
    for (const row of balances) console.log(`  ${row.accountId.padEnd(6)} ${row.owner.padEnd(6)} balance ${String(row.balance).padStart(4)}  (${row.transactions} transactions)`);

    const all = await store.readAllForward();
    console.log(`\n$all holds ${all.length} events:`);
    for (const event of all) {
      console.log(`  #${event.position} ${event.streamId}@${event.streamVersion} ${event.eventType} ${JSON.stringify(event.data)}`);
    }
    await subscription.unsubscribe();
  } finally {
    await projections.stop();
    await store.close();
    await removeExampleStore(clientUrl, SCHEMA, READ_MODEL_TABLES);
  }
});

async function untilCaughtUp(projections: ProjectionRunner): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await projections.lag('account-balances')) > 0) {
    if (Date.now() > deadline) throw new Error('the projection did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
