import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import type { RecordedEvent } from '../../src';
import type { Standby } from '../../support/standby';
import { primaryStore, replicaStore, uniqueSchema } from '../replication/helpers';
import { standbyOrSkip } from '../support/standby';
import { dropSchema, events } from '../support/stores';

describe('truncated streams read on a hot standby', function () {
  this.timeout(60_000);
  let standby: Standby;
  let schema: string;
  let writer: EventStore;
  let reader: EventStore;

  before(async function () {
    standby = await standbyOrSkip(this);
    schema = uniqueSchema('replica_retention');
    writer = await primaryStore(schema);
    reader = await replicaStore(standby, schema);
  });
  after(async () => {
    await reader?.close();
    await writer?.close();
    if (schema) await dropSchema(schema);
  });

  it('the standby\'s reads and subscriptions skip the removed positions, after the truncation (read your writes)', async () => {
    await writer.appendToStream('kept', ExpectedVersion.NoStream, events(2));
    await writer.appendToStream('cut', ExpectedVersion.NoStream, events(5));
    await writer.appendToStream('kept', 2, events(2, 'TestEvent', 3));
    // The reader truncates: its own reads wait for the standby to replay it.
    await reader.truncateStream('cut', 5);
    expect((await reader.readStreamForward('cut')).map((e) => e.eventNumber)).to.deep.equal([5]);
    const all = await reader.readAllForward(0, 2);
    expect(all.map((e) => `${e.streamId}:${e.streamVersion}`)).to.deep.equal(['kept:1', 'kept:2']);
    const rest = await reader.readAllForward(all[1].position + 1, 10);
    expect(rest.map((e) => `${e.streamId}:${e.streamVersion}`)).to.deep.equal(['cut:5', 'kept:3', 'kept:4']);

    const delivered: RecordedEvent[] = [];
    const sub = await reader.subscribeToAllStreams('replica-after-truncation', async (batch, s) => {
      delivered.push(...batch);
      await s.ack(batch);
    });
    try {
      for (const deadline = Date.now() + 10_000; delivered.length < 5 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await sub.unsubscribe();
    }
    expect(delivered.map((e) => `${e.streamId}:${e.streamVersion}`)).to.deep.equal(['kept:1', 'kept:2', 'cut:5', 'kept:3', 'kept:4']);
  });
});
