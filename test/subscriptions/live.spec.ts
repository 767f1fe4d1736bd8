import { expect } from 'chai';
import { EventStore, EventStoreConnectOptions, ExpectedVersion, Subscription } from '../../src';
import { listenConnection, statementsDuring, watch } from '../support/store-probe';
import { connectStore, disposeStore, events, withClient } from '../support/stores';
import { Recorder, range, sleep, waitForState, waitUntil } from './helpers';

describe('live delivery', () => {
  const stores: EventStore[] = [];
  const open: Subscription<any>[] = [];
  const connect = async (options: Omit<EventStoreConnectOptions, 'clientUrl'>) => {
    const store = await connectStore('live', options);
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
    await Promise.all(stores.splice(0).map((store) => disposeStore(store)));
  });

  it('loses no event appended while the LISTEN connection was cut', async () => {
    // No polling: the reconnection alone must bring what its lost notifications announced.
    const store = await connect({ subscriptions: { pollIntervalMs: 0 } });
    const notifier = await listenConnection(store);
    const all = new Recorder();
    const stream = new Recorder();
    const transient = new Recorder();
    open.push(await store.subscribeToAllStreams('all', all.handler));
    open.push(await store.subscribeToStream('s', 'one', stream.handler));
    open.push(await store.subscribe('$all', transient.handler));
    await store.appendToStream('s', ExpectedVersion.NoStream, events(2));
    await all.waitForCount(2);
    await stream.waitForCount(2);
    await transient.waitForCount(2);

    const pid = await notifier.backendPid();
    await withClient((c) => c.query('select pg_terminate_backend($1)', [pid]));
    await waitUntil(() => !notifier.isConnected, 'the LISTEN connection noticed');
    await store.appendToStream('s', 2, events(3));
    await store.appendToStream('t', ExpectedVersion.NoStream, events(1));
    expect(notifier.isConnected, 'the events were appended while LISTEN was down').to.equal(false);

    await all.waitForCount(6);
    await stream.waitForCount(5);
    await transient.waitForCount(6);
    expect(all.numbers()).to.deep.equal(range(1, 6));
    expect(stream.numbers()).to.deep.equal(range(1, 5));
    expect(transient.numbers()).to.deep.equal(range(1, 6));
    expect(await notifier.backendPid()).to.not.equal(pid);
  });

  it('falls back to polling when no notification comes', async () => {
    const store = await connect({ subscriptions: { pollIntervalMs: 25 } });
    const rec = new Recorder();
    const streamRec = new Recorder();
    open.push(await store.subscribeToAllStreams('all', rec.handler));
    open.push(await store.subscribeToStream('p', 'one', streamRec.handler));
    await (await listenConnection(store)).stop();
    await store.appendToStream('p', ExpectedVersion.NoStream, events(3));
    await rec.waitForCount(3);
    await streamRec.waitForCount(3);
    expect(rec.numbers()).to.deep.equal([1, 2, 3]);
  });

  it('costs one indexed query per poll when idle, whatever the number of subscriptions', async () => {
    const store = await connect({ sequencerIntervalMs: 0, subscriptions: { pollIntervalMs: 20 } });
    await store.appendToStream('idle', ExpectedVersion.NoStream, events(2));
    const subs = [
      await store.subscribeToAllStreams('a1', new Recorder().handler),
      await store.subscribeToAllStreams('a2', new Recorder().handler),
      await store.subscribeToStream('idle', 's1', new Recorder().handler),
      await store.subscribeToStream('other', 's2', new Recorder().handler),
      await store.subscribe('$all', new Recorder().handler),
      await store.subscribe('idle', new Recorder().handler),
    ];
    open.push(...subs);
    for (const sub of subs) await waitForState(sub, 'live');
    await sleep(50);
    const statements = await statementsDuring(store, () => sleep(200));
    expect(statements.length).to.be.at.least(3);
    expect(new Set(statements.map((s) => s.name)).size).to.equal(1);
    expect(statements[0].text).to.match(/from "[a-z0-9_]+"\.all_positions\s+order by first_position desc limit 1/);
  });

  it('wakes a stream subscription only when its own stream gets events, with one read per wake-up', async () => {
    const store = await connect({ sequencerIntervalMs: 0, subscriptions: { pollIntervalMs: 0 } });
    const a = new Recorder();
    const b = new Recorder();
    const all = new Recorder();
    open.push(await store.subscribeToStream('a', 'sa', a.handler));
    open.push(await store.subscribeToStream('b', 'sb', b.handler));
    open.push(await store.subscribeToAllStreams('all', all.handler));
    for (const sub of open) await waitForState(sub, 'live');
    const statements = await statementsDuring(store, async () => {
      for (let i = 0; i < 5; i++) await store.appendToStream('a', ExpectedVersion.Any, events(1));
      await a.waitForCount(5);
      await all.waitForCount(5);
      await sleep(50);
    });
    const streamReads = (id: string) => statements.filter((s) => s.name?.includes('stream_fwd') && s.values[0] === id).length;
    expect(streamReads('b')).to.equal(0);
    expect(streamReads('a')).to.be.within(1, 5);
    expect(statements.filter((s) => s.name?.endsWith('all_fwd')).length).to.be.within(1, 5);
    expect(statements.filter((s) => s.name?.endsWith('sub_streams_with_new')).length).to.be.within(1, 5);
    expect(b.events).to.have.length(0);
  });

  it('wakes a watcher (the way a projection runner listens) on new positions until it stops watching', async () => {
    const store = await connect({ subscriptions: { pollIntervalMs: 0 } });
    const wakes: Array<number | undefined> = [];
    const stop = await watch(store, '$all', { wake: (position) => wakes.push(position) });
    await store.appendToStream('w', ExpectedVersion.NoStream, events(2));
    await waitUntil(() => wakes.includes(2), 'the watcher heard of position 2');
    stop();
    await store.appendToStream('w', 2, events(1));
    await sleep(50);
    expect(wakes).to.not.include(3);
  });
});
