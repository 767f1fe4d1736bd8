import { expect } from 'chai';
import { MIGRATIONS } from '../../migrations';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, dropSchema, events, tableCounts, uniqueSchema, withClient } from '../support/stores';
import { runBin, runInProcess } from './cli-runner';

describe('cli: reset', () => {
  let store: EventStore;

  before(async () => {
    store = await connectStore('cli_reset');
    await store.appendToStream('account-1', ExpectedVersion.NoStream, events(3));
    await store.appendToStream('account-2', ExpectedVersion.NoStream, events(2));
    await store.recordSnapshot({ sourceId: 'account-1', sourceVersion: 3, sourceType: 'Account', data: { balance: 3 } });
    await withClient(async (c) => {
      await c.query(`insert into "${store.schema}".subscriptions (stream_id, name, last_seen) values ('$all', 'projector', 5)`);
      // A read model kept in the store's schema.
      await c.query(`create table "${store.schema}".balances (id int generated always as identity, account text)`);
      await c.query(`insert into "${store.schema}".balances (account) values ('account-1'), ('account-2')`);
    });
  });
  after(() => disposeStore(store));

  it('refuses without --force, exits 1 and deletes nothing', async () => {
    const before = await tableCounts(store.schema);
    const result = await runBin(['reset', '--schema', store.schema]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal(
      `error: refusing to reset schema "${store.schema}" without --force: reset deletes every stream, event, snapshot and subscription (development only)\n`,
    );
    expect(await tableCounts(store.schema)).to.deep.equal(before);
    expect(before.events).to.equal(5);
  });

  it("with --force empties the store's tables, keeps the migrations and the other tables, and positions restart at 1", async () => {
    const result = await runBin(['reset', '--schema', store.schema, '--force']);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal([
      `reset the event store in schema "${store.schema}": emptied 10 tables (all_positions, append_log, events, parked_events, personal_data_keys, snapshots, stream_links, stream_retention, streams, subscriptions); positions restart at 1`,
      "kept what the store did not create: table balances (a projection's read model among them keeps its rows: clear it with rebuild)",
      '',
    ].join('\n'));
    const counts = await tableCounts(store.schema);
    expect(Object.values(counts).every((n) => n === 0), JSON.stringify(counts)).to.equal(true);
    await withClient(async (c) => {
      expect((await c.query(`select account from "${store.schema}".balances order by id`)).rows).to.deep.equal([{ account: 'account-1' }, { account: 'account-2' }]);
      expect((await c.query(`select count(*)::int as n from "${store.schema}".mikro_orm_migrations`)).rows[0].n).to.equal(MIGRATIONS.length);
    });

    await store.appendToStream('account-1', ExpectedVersion.NoStream, events(2));
    const all = await store.readAllForward();
    expect(all.map((e) => e.position)).to.deep.equal([1, 2]);
    expect(all.map((e) => e.streamVersion)).to.deep.equal([1, 2]);
  });

  it('refuses a schema that holds no store (exit 1)', async () => {
    const empty = uniqueSchema('cli_reset_none');
    const result = await runInProcess(['reset', '--schema', empty, '--force']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^error: no event store in schema "t_cli_reset_none_[0-9a-f]+"/);
    await dropSchema(empty);
  });
});
