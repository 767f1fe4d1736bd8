/**
 * An append that gets the sequencer lock numbers itself (no append_log row);
 * one that finds it busy is logged, and the sweep that numbers it names it,
 * with its position, in its NOTIFY (docs/ordering.md, "Who sweeps").
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events, testDatabaseUrl, withClient } from '../support/stores';

describe('$all ordering: appends that number themselves, and sweeps that name the waiting ones', () => {
  let store: EventStore;
  const table = (name: string) => `"${store.schema}".${name}`;
  const appendSql = (stream: string) => `select tx::text as tx, last_position from ${table('es_append')}('${stream}', -1,
    array[gen_random_uuid()], array['P'], array['{}'::jsonb], array[null::jsonb], array[null::uuid], array[null::uuid], true)`;

  before(async () => {
    // No safety timer: the only sweeps are the ones the tests cause.
    store = await connectStore('order_self', { sequencerIntervalMs: 0 });
    await store.appendToStream('first', ExpectedVersion.NoStream, events(1));
  });
  after(() => disposeStore(store));

  it('numbers an append that finds the sequencer free in its own transaction, without an append_log row', async () => {
    const logged = async () => withClient(async (c) => Number((await c.query(`select count(*) as n from ${table('append_log')}`)).rows[0].n));
    const before = await logged();
    const { position } = await store.appendToStream('free', ExpectedVersion.NoStream, events(2));
    const all = await store.readAllForward(0, 1000);
    expect(all.filter((e) => e.streamId === 'free').map((e) => e.position)).to.deep.equal([position! - 1, position]);
    expect(await logged()).to.equal(before);
  });

  it('logs an append that finds the sequencer busy; the sweep that numbers it names it and its position in the NOTIFY', async () => {
    await withClient(async (holder) => {
      const listener = new Client({ connectionString: testDatabaseUrl() });
      await listener.connect();
      try {
        const [{ channel }] = (await listener.query(`select ${table('es_channel')}() as channel`)).rows;
        const payloads: string[] = [];
        listener.on('notification', (m) => payloads.push(m.payload ?? ''));
        await listener.query(`listen "${channel}"`);

        await holder.query(`select pg_advisory_lock(${table('es_sequencer_key')}(), 0)`);
        const { tx, last_position } = await withClient(async (c) => (await c.query(appendSql('busy'))).rows[0]);
        expect(last_position).to.equal(null);
        await holder.query(`select pg_advisory_unlock(${table('es_sequencer_key')}(), 0)`);
        const { last } = (await holder.query(`select ${table('es_sweep')}(null) as last`)).rows[0];

        const busy = (await store.readAllForward(0, 1000)).filter((e) => e.streamId === 'busy');
        expect(busy).to.have.length(1);
        for (let i = 0; i < 50 && !payloads.some((p) => p.startsWith(`${last} `)); i++) await new Promise((r) => setTimeout(r, 20));
        const payload = payloads.find((p) => p.startsWith(`${last} `));
        expect(payload, payloads.join(' | ')).to.equal(`${last} ${tx}:${busy[0].position}`);
        expect(await withClient(async (c) => (await c.query(`select count(*)::int as n from ${table('append_log')} where tx = $1`, [tx])).rows[0].n)).to.equal(1);
      } finally {
        await listener.end();
      }
    });
  });

  it('an append that learns its position from the NOTIFY resolves with the position readAllForward shows', async () => {
    // Many concurrent appends: most find the sequencer busy and wait for a sweep's NOTIFY.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      store.appendToStream(`many-${i}`, ExpectedVersion.NoStream, events(1))));
    const all = await store.readAllForward(0, 1000);
    for (let i = 0; i < results.length; i++) {
      expect(results[i].position).to.equal(all.find((e) => e.streamId === `many-${i}`)!.position);
    }
  });
});
