/**
 * The examples run end to end as a user runs them, and say what they should.
 * They get the test run's database through DATABASE_URL (embedded or the
 * machine's server, whichever the run uses); `npm start` is also run once
 * with no DATABASE_URL, to prove it needs no server at all.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testDatabaseUrl } from '../support/stores';

const run = promisify(execFile);

async function example(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, ['-r', 'reflect-metadata', '-r', '@swc/register', path], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout;
}

describe('examples', function () {
  this.timeout(90_000);

  it('bank account: aggregate, injected repository, overdraft refused, concurrent deposits, projection, alerts', async () => {
    const out = await example('examples/bank-account/main.ts', { DATABASE_URL: testDatabaseUrl() });
    expectBankAccountStory(out);
  });

  it('npm start runs the bank account on a private embedded PostgreSQL when DATABASE_URL is not set', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const { stdout } = await run('npm', ['start', '--silent'], { env, timeout: 90_000 });
    expect(stdout).to.include('PostgreSQL: embedded, private to this run');
    expectBankAccountStory(stdout);
  });

  it('npm run example:nestjs runs the bank account as a NestJS application on a private embedded PostgreSQL', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const { stdout } = await run('npm', ['run', 'example:nestjs', '--silent'], { env, timeout: 90_000 });
    expect(stdout).to.include('Bank account example (NestJS) — PostgreSQL: embedded, private to this run');
    expect(stdout).to.include('kept by the account-balances projection provider');
    expectBankAccountStory(stdout);
  });

  it('multi-tenant: two schemas, same stream ids, isolated positions and subscriptions', async () => {
    const out = await example('examples/multi-tenant/main.ts', { DATABASE_URL: testDatabaseUrl() });
    expect(out).to.include('tenant_acme: stream customer-1 at version 3');
    expect(out).to.include('tenant_globex: stream customer-1 at version 1');
    expect(out).to.include('tenant_acme audit-log received $all #3 OrderPlaced {"item":"giant magnet"}');
    expect(out).to.include('tenant_globex audit-log received $all #1 CustomerRegistered {"name":"Hank Scorpio"}');
    expect(out).not.to.include('tenant_globex audit-log received $all #2');
    expect(out).to.include('isolation: no event crossed tenants');
  });
});

function expectBankAccountStory(out: string): void {
  expect(out).to.include('opened alice with 100, bob with 50');
  expect(out).to.include('alice deposits 250 -> balance 350');
  expect(out).to.include('alice withdraws 120 -> balance 230');
  expect(out).to.include('bob withdraws 500 -> refused: Withdrawal of 500 from bob refused: the balance is 50');
  expect(out).to.include('two concurrent deposits to bob (10 and 20) -> balance 80');
  expect(out).to.include('read right after the deposits, the read model shows bob at 80 (waited for position 6)');
  expect(out).to.match(/ALERT: 120 withdrawn from alice \(event #4\)/);
  expect(out).to.include('$all holds 6 events:');
  expect(out).to.match(/alice +Alice +balance +230 +\(2 transactions\)/);
  expect(out).to.match(/bob +Bob +balance +80 +\(2 transactions\)/);
}
