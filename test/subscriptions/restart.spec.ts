import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventStore, ExpectedVersion, Subscription } from '../../src';
import { restartDatabase } from '../support/global-database';
import { connectStore, disposeStore, events } from '../support/stores';
import { Recorder, checkpointOf, range, waitForState, waitUntil } from './helpers';

/** Restarts the server under the tests: the embedded one, or the machine's PostgreSQL 15 when testing against DATABASE_URL. */
async function restartServer(): Promise<void> {
  if (process.env.TEST_DATABASE_EMBEDDED === '1') return restartDatabase();
  await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart']);
}

describe('a PostgreSQL restart', function () {
  this.timeout(60_000);
  let store: EventStore;
  const open: Subscription<any>[] = [];

  before(async () => {
    store = await connectStore('restart', { subscriptions: { pollIntervalMs: 200 } });
  });
  after(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
    await disposeStore(store);
  });

  it('reconnects live subscriptions, which then deliver everything committed after the restart', async () => {
    const all = new Recorder();
    const stream = new Recorder();
    const transient = new Recorder();
    const errors: Error[] = [];
    const allSub = await store.subscribeToAllStreams('all', all.handler, { takeoverIntervalMs: 100, onError: (e) => errors.push(e) });
    const streamSub = await store.subscribeToStream('s', 'one', stream.handler, { takeoverIntervalMs: 100, onError: (e) => errors.push(e) });
    const transientSub = await store.subscribe('$all', transient.handler, { onError: (e) => errors.push(e) });
    open.push(allSub, streamSub, transientSub);
    await store.appendToStream('s', ExpectedVersion.NoStream, events(3));
    await all.waitForCount(3);
    await stream.waitForCount(3);
    await transient.waitForCount(3);
    // Delivery is at least once: what is acknowledged but not yet checkpointed
    // when the server goes away is delivered again. Restart once both
    // checkpoints are stored, so that any repeat is a defect.
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'all')) === 3, 'the $all checkpoint is stored');
    await waitUntil(async () => (await checkpointOf(store.schema, 's', 'one')) === 3, 'the stream checkpoint is stored');

    await restartServer();

    // The first append after the restart goes through a pool whose old connections are dead.
    await store.appendToStream('s', 3, events(2));
    await store.appendToStream('t', ExpectedVersion.NoStream, events(1));
    await all.waitForCount(6, 30_000);
    await stream.waitForCount(5, 30_000);
    await transient.waitForCount(6, 30_000);
    await waitForState(allSub, 'live');
    await waitForState(streamSub, 'live');

    expect(all.numbers()).to.deep.equal(range(1, 6));
    expect(stream.numbers()).to.deep.equal(range(1, 5));
    expect(transient.numbers()).to.deep.equal(range(1, 6));
    expect(errors.length, 'the lost lock connection was reported').to.be.at.least(1);
  });
});
