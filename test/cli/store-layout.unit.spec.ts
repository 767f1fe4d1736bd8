import { expect } from 'chai';
import { describeObjects } from '../../src/cli/schema-inventory';
import { isDefaultSchema, storeMigrations, storeObjects, storeTables } from '../../src/cli/store-layout';

describe('what the store is made of (read without a database)', () => {
  it('lists its migrations in order and its tables from its entities', () => {
    const migrations = storeMigrations();
    expect(migrations.length).to.be.greaterThan(0);
    expect(migrations).to.deep.equal([...migrations].sort());
    expect(storeTables()).to.include.members(['streams', 'events', 'stream_links', 'append_log', 'all_positions', 'snapshots', 'subscriptions']);
  });

  it('lists the functions its migrations create, each once, without a schema prefix', async () => {
    const objects = await storeObjects();
    expect(objects.functions).to.include.members(['es_append']);
    for (const kind of ['tables', 'functions', 'sequences', 'views'] as const) {
      expect(new Set(objects[kind]).size, kind).to.equal(objects[kind].length);
      for (const name of objects[kind]) expect(name, kind).to.match(/^[a-z_][a-z0-9_$]*$/);
    }
    expect(objects.tables).to.include.members(storeTables());
  });

  it('never treats a schema other than public as the default one', () => {
    expect([isDefaultSchema('public'), isDefaultSchema('Public'), isDefaultSchema('shop')]).to.deep.equal([true, false, false]);
  });

  it('names the objects it leaves alone', () => {
    expect(describeObjects([{ kind: 'table', name: 'app_users' }, { kind: 'view', name: 'active_users' }] as never)).to.equal('table app_users, view active_users');
    expect(describeObjects([])).to.equal('');
  });
});
