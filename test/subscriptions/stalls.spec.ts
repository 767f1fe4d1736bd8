import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  RecordedEvent,
  SubscriptionStalledError,
  SubscriptionState,
} from '../../src';
import { caught, connectStore, disposeStore, events } from '../support/stores';
import { checkpointOf, range, sleep, trackedSubscriptions, waitForState, waitUntil } from './helpers';

describe('persistent subscriptions: stalls and autoAck', () => {
  let store: EventStore;
  const { unique, track } = trackedSubscriptions();

  before(async () => {
    store = await connectStore('stalls', { subscriptions: { pollIntervalMs: 200 } });
  });
  after(() => disposeStore(store));

  it('reports a handler that forgets to ack: SubscriptionStalledError and the stalled state, within stallTimeoutMs', async () => {
    const stream = unique('forgetful');
    const name = unique('sub');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(12));
    const received: RecordedEvent[] = [];
    const errors: Error[] = [];
    const states: SubscriptionState[] = [];
    const started = Date.now();
    const sub = track(await store.subscribeToStream(stream, name, (batch) => {
      received.push(...batch); // no ack
    }, { bufferSize: 5, stallTimeoutMs: 300, onError: (error) => errors.push(error), onState: (state) => states.push(state) }));
    await waitUntil(() => errors.length > 0, 'the stall is reported', 5000);
    const elapsed = Date.now() - started;
    expect(elapsed).to.be.at.least(300);
    expect(sub.state).to.equal('stalled');
    expect(received.map((e) => e.eventNumber)).to.deep.equal(range(1, 5));
    const error = errors[0] as SubscriptionStalledError;
    expect(error).to.be.instanceOf(SubscriptionStalledError);
    expect(error.code).to.equal('subscription_stalled');
    expect(error.subscriptionName).to.equal(name);
    expect(error.streamId).to.equal(stream);
    expect(error.eventNumber).to.equal(1);
    expect(error.unacknowledged).to.equal(5);
    expect(error.message).to.contain(JSON.stringify(name)).and.to.contain('event 1').and.to.contain('autoAck');
    expect(states[0]).to.equal('starting');
    expect(states).to.include('stalled');
    // Reported once per stall.
    await sleep(500);
    expect(errors).to.have.length(1);

    // Acks resume: it leaves the stalled state and delivers the rest.
    await sub.ack(received[received.length - 1]);
    await waitUntil(() => received.length >= 10, '10 events were delivered');
    expect(sub.state).to.not.equal('stalled');
    expect(states.slice(states.lastIndexOf('stalled') + 1)).to.satisfy((after: SubscriptionState[]) => after.length > 0 && after[0] !== 'stalled');
    expect(received.map((e) => e.eventNumber)).to.deep.equal(range(1, 10));
    expect(await checkpointOf(store.schema, stream, name)).to.equal(5);
  });

  it('reports the stall again when a handler that resumed stops acking again', async () => {
    const stream = unique('twice');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(6));
    const received: RecordedEvent[] = [];
    const errors: SubscriptionStalledError[] = [];
    const sub = track(await store.subscribeToStream(stream, unique('sub'), (batch) => {
      received.push(...batch);
    }, { bufferSize: 3, stallTimeoutMs: 200, onError: (error) => errors.push(error as SubscriptionStalledError) }));
    await waitUntil(() => errors.length === 1, 'the first stall');
    await sub.ack(3);
    await waitUntil(() => errors.length === 2, 'the second stall');
    expect(errors.map((e) => e.eventNumber)).to.deep.equal([1, 4]);
    expect(sub.state).to.equal('stalled');
  });

  it('does not report a handler whose buffer is not full', async () => {
    const stream = unique('slow');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
    const errors: Error[] = [];
    const received: RecordedEvent[] = [];
    const sub = track(await store.subscribeToStream(stream, unique('sub'), (batch) => {
      received.push(...batch); // 3 events held in a buffer of 5: not full
    }, { bufferSize: 5, stallTimeoutMs: 100, onError: (error) => errors.push(error) }));
    await waitUntil(() => received.length === 3, 'three events');
    await sleep(400);
    expect(errors).to.deep.equal([]);
    expect(sub.state).to.equal('live');
  });

  it('autoAck: acknowledges each batch when the handler returns, so 12 events pass a buffer of 5', async () => {
    const stream = unique('auto');
    const name = unique('sub');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(12));
    const batches: number[][] = [];
    const errors: Error[] = [];
    const sub = track(await store.subscribeToStream(stream, name, async (batch) => {
      await sleep(5);
      batches.push(batch.map((e) => e.eventNumber));
    }, { bufferSize: 5, autoAck: true, stallTimeoutMs: 2000, onError: (error) => errors.push(error) }));
    await waitUntil(() => batches.flat().length >= 12, 'all 12 events were delivered');
    expect(batches.flat()).to.deep.equal(range(1, 12));
    expect(batches.every((b) => b.length <= 5)).to.equal(true);
    await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 12, 'the checkpoint reaches 12');
    await waitForState(sub, 'live');
    expect(errors).to.deep.equal([]);
  });

  it('autoAck: a handler that throws acknowledges nothing and its batch is retried', async () => {
    const stream = unique('auto-throw');
    const name = unique('sub');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
    const seen: number[][] = [];
    let failures = 1;
    const errors: Error[] = [];
    track(await store.subscribeToStream(stream, name, (batch) => {
      seen.push(batch.map((e) => e.eventNumber));
      if (failures-- > 0) throw new Error('not yet');
    }, { autoAck: true, retryDelayMs: 20, onError: (error) => errors.push(error) }));
    await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 4, 'the checkpoint reaches 4');
    expect(seen).to.deep.equal([[1, 2, 3, 4], [1, 2, 3, 4]]);
    expect(errors.map((e) => e.message)).to.deep.equal(['not yet']);
  });

  it('autoAck: a handler that acks part of its batch itself is fine', async () => {
    const stream = unique('auto-partial');
    const name = unique('sub');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
    const errors: Error[] = [];
    track(await store.subscribeToStream(stream, name, async (batch, sub) => {
      await sub.ack(batch[0]);
    }, { autoAck: true, onError: (error) => errors.push(error) }));
    await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 4, 'the checkpoint reaches 4');
    expect(errors).to.deep.equal([]);
  });

  it('onState sees the first state, which a listener attached after subscribe returns would miss', async () => {
    const states: SubscriptionState[] = [];
    const sub = track(await store.subscribeToAllStreams(unique('states'), () => undefined, { autoAck: true, onState: (state) => states.push(state) }));
    await waitForState(sub, 'live');
    expect(states[0]).to.equal('starting');
    expect(states).to.include('catching-up');
    expect(states[states.length - 1]).to.equal('live');
    const transientStates: SubscriptionState[] = [];
    const transient = track(await store.subscribe('$all', () => undefined, { onState: (state) => transientStates.push(state) }));
    expect(transient.state).to.equal('live');
    expect(transientStates).to.deep.equal(['starting', 'live']);
  });

  it('refuses bad stall and autoAck options and creates no row', async () => {
    const name = unique('bad');
    expect(await caught(store.subscribeToAllStreams(name, () => undefined, { stallTimeoutMs: -1 }))).to.be.instanceOf(InvalidArgumentError)
      .with.property('argument', 'options.stallTimeoutMs');
    expect(await caught(store.subscribeToAllStreams(name, () => undefined, { autoAck: 'yes' as never }))).to.be.instanceOf(InvalidArgumentError)
      .with.property('argument', 'options.autoAck');
    expect(await caught(store.subscribeToAllStreams(name, () => undefined, { onState: 1 as never }))).to.be.instanceOf(InvalidArgumentError)
      .with.property('argument', 'options.onState');
    expect(await checkpointOf(store.schema, '$all', name)).to.equal(undefined);
  });
});
