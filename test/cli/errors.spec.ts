import { expect } from 'chai';
import { lines, runBin, runInProcess } from './cli-runner';

const UNREACHABLE = 'postgres://postgres:secret-password@127.0.0.1:1/postgres';

function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(lines(stderr)).to.have.length(1);
  expect(stderr).to.match(pattern);
  expect(stderr).not.to.match(/\bat .+:\d+:\d+/); // no stack trace
}

describe('cli: configuration and connection errors', () => {
  it('prints one line and exits 2 when the database cannot be reached', async () => {
    const result = await runBin(['status'], { DATABASE_URL: UNREACHABLE });
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    expectOneLineError(result.stderr, /^error: cannot connect to PostgreSQL at 127\.0\.0\.1:1: connect ECONNREFUSED\n$/);
    expect(result.stderr).not.to.contain('secret-password');
  });

  it('refuses an invalid schema name before connecting (exit 2)', async () => {
    const result = await runBin(['init', '--schema', 'Robert"; drop table x; --', '--url', UNREACHABLE]);
    expect(result.code).to.equal(2);
    expectOneLineError(result.stderr, /^error: invalid --schema: "Robert\\"; drop table x; --" is not a valid schema name/);
  });

  it('exits 2 with a one-line hint when no URL is given', async () => {
    const result = await runBin(['status'], { DATABASE_URL: undefined });
    expect(result.code).to.equal(2);
    expectOneLineError(result.stderr, /^error: no database URL: pass --url or set DATABASE_URL\n$/);
  });

  it('takes --url over DATABASE_URL', async () => {
    const result = await runInProcess(['status', '--url', UNREACHABLE], { DATABASE_URL: 'postgres://elsewhere:5432/x' });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('at 127.0.0.1:1:');
  });

  it('refuses a URL that is not postgres:// without echoing it (exit 2)', async () => {
    const result = await runInProcess(['status', '--url', 'mysql://root:hunter2@db/x']);
    expect(result.code).to.equal(2);
    expectOneLineError(result.stderr, /^error: invalid --url: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(result.stderr).not.to.contain('hunter2');
  });

  it('exits 2 on an unknown command or option', async () => {
    const unknownCommand = await runInProcess(['frobnicate']);
    expect(unknownCommand.code).to.equal(2);
    expect(unknownCommand.stderr).to.contain("error: unknown command 'frobnicate'");
    const unknownOption = await runInProcess(['status', '--jsn']);
    expect(unknownOption.code).to.equal(2);
    expect(unknownOption.stderr).to.contain("error: unknown option '--jsn'");
  });

  it('rebuild without arguments names the missing projection first, then the missing --module (exit 2)', async () => {
    const bare = await runInProcess(['rebuild']);
    expect(bare.code).to.equal(2);
    expect(bare.stdout).to.equal('');
    expect(lines(bare.stderr)[0]).to.equal("error: missing required argument 'projection'");
    expect(bare.stderr).not.to.contain('--module');
    const noModule = await runInProcess(['rebuild', 'account-balances']);
    expect(noModule.code).to.equal(2);
    expectOneLineError(noModule.stderr, /^error: required option '--module <path>' not specified\n$/);
  });

  it('prints help and the version with exit code 0', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).to.equal(0);
    for (const command of ['init', 'migrate', 'status', 'reset', 'drop']) expect(help.stdout).to.match(new RegExp(`^  ${command} `, 'm'));
    const version = await runInProcess(['--version']);
    expect(version.code).to.equal(0);
    expect(version.stdout).to.match(/^\d+\.\d+\.\d+/);
  });
});
