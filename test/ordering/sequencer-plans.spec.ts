import { expect } from 'chai';
import type { EventStore } from '../../src';
import { connectStore, disposeStore, withClient } from '../support/stores';

describe('sequencer plans on a large store', () => {
  let store: EventStore;

  before(async () => {
    store = await connectStore('seqjit');
  });

  after(() => disposeStore(store));

  it('run es_sweep, es_sequence and es_positions with JIT off, so a large append_log never makes a sweep compile', async () => {
    const rows = await withClient(async (c) => (await c.query<{ proname: string; proconfig: string[] | null }>(
      `select p.proname, p.proconfig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = $1 and p.proname in ('es_sweep', 'es_sequence', 'es_positions') order by p.proname`, [store.schema])).rows);
    expect(rows.map((r) => r.proname)).to.include.members(['es_positions', 'es_sequence', 'es_sweep']);
    for (const row of rows) expect(row.proconfig ?? [], row.proname).to.include('jit=off');
  });

  it('declares append_log.tx all-distinct, so a bulk import\'s statistics do not make lookups by transaction look large', async () => {
    const rows = await withClient(async (c) => (await c.query<{ attoptions: string[] | null }>(
      `select a.attoptions from pg_attribute a where a.attrelid = $1::regclass and a.attname = 'tx'`, [`"${store.schema}".append_log`])).rows);
    expect(rows[0].attoptions ?? []).to.include('n_distinct=-1');
  });

  it('still numbers appends', async () => {
    await store.appendToStream('jit-1', 0, [{ eventType: 'E', data: {} }]);
    const [event] = await store.readAllForward(1, 10);
    expect(event.position).to.equal(1);
  });
});
