import { expect } from 'chai';
import { EventStore, ExpectedVersion, Subscription } from '../../src';
import { connectStore, disposeStore, events } from '../support/stores';
import { Recorder, checkpointOf, waitForState, waitUntil } from './helpers';

describe('filtered subscriptions to $all', () => {
  let store: EventStore;
  const open: Subscription<any>[] = [];

  beforeEach(async () => {
    store = await connectStore('filtered_sub', { subscriptions: { pollIntervalMs: 200 } });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
    await disposeStore(store);
  });

  it('a transient subscription gets only the matching events committed after it subscribed', async () => {
    await store.appendToStream('before', ExpectedVersion.NoStream, events(3, 'Wanted'));
    const recorder = new Recorder();
    const sub = await store.subscribe('$all', recorder.handler, { filter: { eventTypes: ['Wanted'] }, onError: recorder.onError });
    open.push(sub);
    await store.appendToStream('a-1', ExpectedVersion.NoStream, [...events(2, 'Noise'), ...events(1, 'Wanted', 10)]);
    await store.appendToStream('b-1', ExpectedVersion.NoStream, events(2, 'Wanted', 20));
    await store.appendToStream('a-2', ExpectedVersion.NoStream, events(5, 'Noise'));
    await store.appendToStream('a-3', ExpectedVersion.NoStream, events(1, 'Wanted', 30));
    await recorder.waitForCount(4);
    expect(recorder.events.map((e) => (e.data as { n: number }).n)).to.deep.equal([10, 20, 21, 30]);
    expect(recorder.events.map((e) => e.eventType)).to.deep.equal(['Wanted', 'Wanted', 'Wanted', 'Wanted']);
    expect(recorder.errors).to.deep.equal([]);
  });

  it('a persistent subscription reads only matches, and its checkpoint moves past what the filter skips', async () => {
    await store.appendToStream('orders-1', ExpectedVersion.NoStream, events(2, 'Placed'));
    await store.appendToStream('noise', ExpectedVersion.NoStream, events(500, 'Noise'));
    const recorder = new Recorder();
    const options = { filter: { eventTypes: ['Placed'], streamPrefix: 'orders-' }, onError: recorder.onError };
    const sub = await store.subscribeToAllStreams('placed', recorder.handler, options);
    open.push(sub);
    await recorder.waitForCount(2);
    expect(recorder.numbers()).to.deep.equal([1, 2]);
    // Nothing more matches, yet the checkpoint passes the 500 skipped events: a restart does not read them again.
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'placed')) === 502, 'the checkpoint passed the skipped events');
    await store.appendToStream('noise', ExpectedVersion.Any, events(10, 'Noise'));
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'placed')) === 512, 'the checkpoint passed live skipped events');
    await sub.unsubscribe();
    open.pop();

    await store.appendToStream('orders-1', ExpectedVersion.Any, events(1, 'Placed', 3));
    await store.appendToStream('other-1', ExpectedVersion.NoStream, events(1, 'Placed', 4));
    const again = new Recorder();
    const resumed = await store.subscribeToAllStreams('placed', again.handler, { ...options, onError: again.onError });
    open.push(resumed);
    await again.waitForCount(1);
    await waitForState(resumed, 'live');
    expect(again.numbers()).to.deep.equal([513]);
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'placed')) === 514, 'the checkpoint passed the last, unmatched event');
    expect(recorder.errors.concat(again.errors)).to.deep.equal([]);
  });
});
