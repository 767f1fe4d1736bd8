import { expect } from 'chai';
import { MIGRATIONS } from '../../migrations';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events, uniqueSchema, withClient } from '../support/stores';
import { lines, runBin, runInProcess } from './cli-runner';

const MIGRATION_NAMES = MIGRATIONS.map((m) => m.name);
const OWNED_SINCE = new Date('2026-11-29T12:00:00.000Z');

describe('cli: status', () => {
  let store: EventStore;

  before(async () => {
    store = await connectStore('cli_status');
    await store.appendToStream('order-1', ExpectedVersion.NoStream, events(4)); // positions 1-4
    await store.appendToStream('order-2', ExpectedVersion.NoStream, events(2)); // 5-6
    await store.appendToStream('order-3', ExpectedVersion.NoStream, events(1)); // 7
    await store.deleteStream('order-3', 1);
    // Persistent subscriptions are rows of `subscriptions`; written directly here.
    await withClient((c) => c.query(
      `insert into "${store.schema}".subscriptions (stream_id, name, last_seen, owner, owned_since)
       values ('$all', 'projector', 5, 'host-a:41:1', $1), ('order-1', 'emailer', 1, null, null), ('$all', 'audit', 7, null, null)`,
      [OWNED_SINCE],
    ));
  });
  after(() => disposeStore(store));

  it('shows migrations, stream and event counts, the last position and each subscription with its lag', async () => {
    const result = await runBin(['status', '--schema', store.schema]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(lines(result.stdout)).to.deep.equal([
      `schema:         ${store.schema}`,
      `migrations:     ${MIGRATION_NAMES.length} applied, 0 pending`,
      ...MIGRATION_NAMES.map((name) => `  applied:      ${name}`),
      'streams:        2 live, 1 soft-deleted',
      'events:         7',
      'last position:  7',
      'subscriptions:  3',
      '',
      'STREAM   NAME       CHECKPOINT  LAG  OWNER',
      '$all     audit               7    0  -',
      '$all     projector           5    2  host-a:41:1',
      'order-1  emailer             1    3  -',
    ]);
  });

  it('prints the same facts as JSON with --json', async () => {
    const result = await runInProcess(['status', '--schema', store.schema, '--json']);
    expect(result.code).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      schema: store.schema,
      migrations: { applied: MIGRATION_NAMES, pending: [] },
      streams: { live: 2, softDeleted: 1 },
      events: 7,
      lastPosition: 7,
      subscriptions: [
        { streamId: '$all', name: 'audit', checkpoint: 7, lag: 0, owner: null, ownedSince: null, failure: null, parked: 0 },
        { streamId: '$all', name: 'projector', checkpoint: 5, lag: 2, owner: 'host-a:41:1', ownedSince: OWNED_SINCE.toISOString(), failure: null, parked: 0 },
        { streamId: 'order-1', name: 'emailer', checkpoint: 1, lag: 3, owner: null, ownedSince: null, failure: null, parked: 0 },
      ],
    });
  });

  it('says plainly that a schema holds no store, exits 1 and creates nothing', async () => {
    const empty = uniqueSchema('cli_nostore');
    const result = await runBin(['status', '--schema', empty]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal(`error: no event store in schema "${empty}" (create one with: mikro-orm-eventstore init --schema ${empty})\n`);
    const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [empty]));
    expect(rows).to.have.length(0);
  });
});
