/**
 * The bank-account example, end to end:
 * - a BankAccount aggregate (open, deposit, withdraw; an overdraft is refused),
 * - a service that receives its aggregate repository by injection,
 * - a projection keeping a balances read model (MikroORM entities),
 * - a query that reads its own writes: it waits for the projection to reach
 *   the command's events,
 * - a persistent subscription raising alerts on large withdrawals.
 *
 *   npm start        (embedded PostgreSQL unless DATABASE_URL is set)
 */
import { EventStore } from 'mikro-orm-eventstore';
import { removeExampleStore } from '../support/remove-example-store';
import { runExample, until } from '../support/run-example';
import { AccountBalance } from './account-balance.entity';
import { AccountBalances } from './account-balances.projection';
import { startLargeWithdrawalAlerts } from './alerts';
import { BalanceQueries } from './balance-queries';
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
    const accounts = store.aggregateRepository(BankAccount);
    const bank = new BankAccountService(accounts);
    const queries = new BalanceQueries(store, projections);

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

    // Commands, then a query of the read model that must show them: the
    // query waits for the projection to commit the commands' last event.
    const [deposited] = await store.readStreamBackward(accounts.streamId('bob'), -1, 1);
    const bob = await queries.balance('bob', deposited.position);
    console.log(`read right after the deposits, the read model shows bob at ${bob?.balance} (waited for position ${deposited.position})`);

    await until(() => alerts.length === 1);
    for (const line of alerts) console.log(line);

    // Everything so far, as of the last $all position.
    const [last] = await store.readAllBackward(-1, 1);
    const balances = await queries.all(last.position);
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
