/**
 * The bank-account example as a NestJS application: the same aggregate,
 * projection and alerts as examples/bank-account, wired by Nest.
 *
 *   npm run example:nestjs     (embedded PostgreSQL unless DATABASE_URL is set)
 */
import { EntityManager } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { EventStore } from 'mikro-orm-eventstore';
import { EventStoreLifecycle } from 'mikro-orm-eventstore/nestjs';
import { AccountBalance } from '../bank-account/account-balance.entity';
import { BankAccount, OverdraftRefusedError } from '../bank-account/bank-account';
import { runExample, until } from '../support/run-example';
import { AppModule, STORE_SCHEMA } from './app.module';
import { BankService } from './bank.service';
import { LargeWithdrawalAlerts } from './large-withdrawal-alerts';
import { READ_MODEL_SCHEMA } from './read-model-schema';

runExample('Bank account example (NestJS)', async (clientUrl) => {
  await dropSchemas(clientUrl); // a rerun on DATABASE_URL starts from scratch
  // Projections and subscriptions start with the application.
  const app = await NestFactory.createApplicationContext(AppModule.register(clientUrl), { logger: ['error', 'warn'] });
  try {
    const bank = app.get(BankService);
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
    await Promise.all([bank.deposit('bob', 10), bank.deposit('bob', 20)]);
    console.log(`two concurrent deposits to bob (10 and 20) -> balance ${await bank.balance('bob')}`);

    const { alerts } = app.get(LargeWithdrawalAlerts);
    await until(() => alerts.length === 1);
    for (const line of alerts) console.log(line);

    // A query right after commands waits for the projection to commit their last event.
    const store = app.get(EventStore);
    const projections = app.get(EventStoreLifecycle).projections!;
    const [deposited] = await store.readStreamBackward(store.aggregateRepository(BankAccount).streamId('bob'), -1, 1);
    await projections.waitFor('account-balances', deposited.position, { timeoutMs: 5000 });
    const bob = await app.get(EntityManager).fork().findOne(AccountBalance, { accountId: 'bob' });
    console.log(`read right after the deposits, the read model shows bob at ${bob?.balance} (waited for position ${deposited.position})`);

    const [last] = await store.readAllBackward(-1, 1);
    await projections.waitFor('account-balances', last.position, { timeoutMs: 5000 });
    const balances = await app.get(EntityManager).fork().find(AccountBalance, {}, { orderBy: { accountId: 'asc' } });
    console.log('\nread model (account_balances), kept by the account-balances projection provider:');
    for (const row of balances) console.log(`  ${row.accountId.padEnd(6)} ${row.owner.padEnd(6)} balance ${String(row.balance).padStart(4)}  (${row.transactions} transactions)`);

    const all = await store.readAllForward();
    console.log(`\n$all holds ${all.length} events:`);
    for (const event of all) console.log(`  #${event.position} ${event.streamId}@${event.streamVersion} ${event.eventType} ${JSON.stringify(event.data)}`);
  } finally {
    await app.close(); // stops the projection and the subscription, closes the store, then the MikroORM
    await dropSchemas(clientUrl);
  }
});

async function dropSchemas(clientUrl: string): Promise<void> {
  const client = new Client({ connectionString: clientUrl });
  await client.connect();
  for (const schema of [READ_MODEL_SCHEMA, STORE_SCHEMA]) await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}
