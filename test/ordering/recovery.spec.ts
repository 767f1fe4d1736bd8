/**
 * The sequencer remembers transaction ids. A database restored (pg_dump /
 * pg_restore) into another cluster sees its transaction-id counter go back
 * below the recorded ids; the sequencer must notice and still number every
 * append once.
 */
import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events, withClient } from '../support/stores';

describe('$all ordering after a restore into another cluster', () => {
  let store: EventStore;
  before(async () => {
    store = await connectStore('order_restore');
  });
  after(() => disposeStore(store));

  it('numbers appends made after the transaction-id counter went back, each once', async () => {
    await store.appendToStream('before', ExpectedVersion.NoStream, events(3));
    // What a restore looks like to the sequencer: its recorded state lies in the future.
    await withClient(async (c) => {
      await c.query(`update "${store.schema}".all_positions set snapshot_xmax = '900000000000'
                     where first_position = (select max(first_position) from "${store.schema}".all_positions)`);
      // An append committed but not sequenced yet, as a dump may contain.
      await c.query('begin');
      await c.query(`select * from "${store.schema}".es_append('pending', -1, array[gen_random_uuid()], array['P'],
                     array['{}'::jsonb], array[null::jsonb], array[null::uuid], array[null::uuid], false)`);
      await c.query('commit');
    });
    await store.appendToStream('after', ExpectedVersion.NoStream, events(2));
    await store.appendToStream('after', 2, events(2));

    const all = await store.readAllForward(0, 100);
    expect(all.map((e) => `${e.streamId}@${e.streamVersion}`)).to.deep.equal([
      'before@1', 'before@2', 'before@3', 'pending@1', 'after@1', 'after@2', 'after@3', 'after@4',
    ]);
    const positions = all.map((e) => e.position);
    expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).to.equal(positions.length);
  });
});
