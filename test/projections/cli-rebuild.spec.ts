import { expect } from 'chai';
import { join } from 'node:path';
import { EventStore } from '../../src';
import { lines, runBin, runInProcess } from '../cli/cli-runner';
import { disposeStore, uniqueSchema, withClient } from '../support/stores';
import { AccountOpened, Deposited, Withdrawn } from './fixtures';
import { appendEvents, balances, expectedBalances, projectionStore } from './helpers';

const MODULE = join(__dirname, 'support', 'cli-module.ts');

describe('cli: rebuild', function () {
  this.timeout(60_000);
  let store: EventStore;

  before(async () => {
    store = await projectionStore('cli_rebuild');
    for (let a = 0; a < 3; a++) {
      await appendEvents(store, `acc-${a}`, [new AccountOpened(`acc-${a}`, `owner ${a}`, 10), ...Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? new Withdrawn(`acc-${a}`, 1) : new Deposited(`acc-${a}`, i)))]);
    }
  });
  after(() => disposeStore(store));

  it('rebuilds a projection of a TypeScript module: progress on stderr, a summary on stdout', async () => {
    await withClient((c) => c.query(`insert into "${store.schema}".proj_account_balances (account_id, owner, balance) values ('stale', 'nobody', 0)`));
    const result = await runBin(['rebuild', 'spec-account-balances', '--module', MODULE, '--schema', store.schema]);
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.have.length(1);
    expect(result.stdout).to.match(/^rebuilt spec-account-balances: 123 events up to position 123 in \d+\.\d s \(\d+ events\/s\)\n$/);
    // Not a terminal: the bar as plain lines, the last one complete.
    const progress = lines(result.stderr);
    expect(progress[progress.length - 1]).to.match(/^spec-account-balances \[.+\] 100% \| 123\/123 events \| \d+ events\/s \| position 123$/);
    expect(await balances(store.schema)).to.deep.equal(await expectedBalances(store));
  });

  it('rebuilds in this process too, and leaves the projection to whoever runs it', async () => {
    const result = await runInProcess(['rebuild', 'spec-applied-log', '--module', MODULE, '--schema', store.schema]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^rebuilt spec-applied-log: 123 events/);
    const { rows } = await withClient((c) => c.query(`select count(*)::int as n from "${store.schema}".proj_applied_events where applied_by = 'cli'`));
    expect(rows[0].n).to.equal(120);
    const { rows: owners } = await withClient((c) => c.query(`select owner from "${store.schema}".subscriptions where name = 'projection:spec-applied-log'`));
    expect(owners).to.deep.equal([{ owner: null }]);
  });

  it('ends with one line and exit code 1 when the projection fails', async () => {
    const result = await runInProcess(['rebuild', 'spec-cli-failing', '--module', join(__dirname, 'support', 'cli-module-failing.ts'), '--schema', store.schema]);
    expect(result.code).to.equal(1);
    const errors = lines(result.stderr).filter((line) => line.startsWith('error:'));
    expect(errors).to.deep.equal([
      'error: Projection "spec-cli-failing" stopped after 1 failed attempt at position 2: cannot apply a deposit of 0',
    ]);
    expect(result.stdout).to.equal('');
  });

  describe('bad input', () => {
    async function refused(args: string[]): Promise<{ code: number; stderr: string }> {
      const { code, stdout, stderr } = await runInProcess(args);
      expect(stdout).to.equal('');
      expect(lines(stderr).filter((line) => line.startsWith('error'))).to.have.length(1);
      return { code, stderr };
    }

    it('needs --module, an existing file that exports projections, and one of their names (exit code 2)', async () => {
      expect((await refused(['rebuild', 'spec-account-balances', '--schema', store.schema])).stderr).to.match(/--module <path>/);
      const missing = await refused(['rebuild', 'x', '--module', 'no/such/module.ts', '--schema', store.schema]);
      expect(missing).to.deep.equal({ code: 2, stderr: 'error: --module no/such/module.ts: no such file\n' });
      const empty = await refused(['rebuild', 'x', '--module', join(__dirname, 'support', 'cli-module-without-projections.ts'), '--schema', store.schema]);
      expect(empty.code).to.equal(2);
      expect(empty.stderr).to.match(/must export `projections`/);
      const plain = await refused(['rebuild', 'x', '--module', join(__dirname, 'support', 'cli-module-not-decorated.ts'), '--schema', store.schema]);
      expect(plain.code).to.equal(2);
      expect(plain.stderr).to.match(/^error: --module .*: Class PlainClass is not a projection: .* \(does the module import the same mikro-orm-eventstore/);
      const unknown = await refused(['rebuild', 'nope', '--module', MODULE, '--schema', store.schema]);
      expect(unknown).to.deep.equal({ code: 2, stderr: `error: no projection "nope" in ${MODULE} (it has: "spec-account-balances", "spec-applied-log")\n` });
      const wait = await refused(['rebuild', 'spec-account-balances', '--module', MODULE, '--wait', 'soon', '--schema', store.schema]);
      expect(wait).to.deep.equal({ code: 2, stderr: 'error: invalid --wait: expected milliseconds (an integer >= 0), got "soon"\n' });
    });

    it('refuses a schema without a store, creating nothing (exit code 1)', async () => {
      const schema = uniqueSchema('cli_nostore');
      const result = await refused(['rebuild', 'spec-account-balances', '--module', MODULE, '--schema', schema]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/no event store in schema/);
      const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [schema]));
      expect(rows).to.deep.equal([]);
    });
  });
});
