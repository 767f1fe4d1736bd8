import { expect } from 'chai';
import {
  EventStore,
  ExpectedVersion,
  InvalidArgumentError,
  RecordedEvent,
  StreamDeletedError,
  SubscriptionAlreadyExistsError,
  SubscriptionNotFoundError,
  UnexpectedAckError,
} from '../../src';
import { caught, connectStore, disposeStore, events, tableCounts } from '../support/stores';
import { Recorder, checkpointOf, range, sleep, trackedSubscriptions, waitForState, waitUntil } from './helpers';

describe('persistent subscriptions', () => {
  let store: EventStore;
  const { unique, track } = trackedSubscriptions();

  before(async () => {
    store = await connectStore('subs', { subscriptions: { pollIntervalMs: 200 } });
  });
  after(() => disposeStore(store));

  describe('delivery', () => {
    it("delivers a stream's events from the origin in ordered batches, then new events live", async () => {
      const stream = unique('s');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(5));
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      await rec.waitForCount(5);
      await waitForState(sub, 'live');
      await store.appendToStream(stream, 5, events(3, 'Later'));
      await rec.waitForCount(8);
      expect(rec.numbers()).to.deep.equal(range(1, 8));
      expect(rec.events.map((e) => e.streamId)).to.deep.equal(Array(8).fill(stream));
      expect(rec.events.map((e) => e.streamVersion)).to.deep.equal(range(1, 8));
      expect(rec.events.every((e) => e.position > 0)).to.equal(true);
    });

    it('ignores the events of other streams', async () => {
      const stream = unique('mine');
      const other = unique('other');
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      await waitForState(sub, 'live');
      await store.appendToStream(other, ExpectedVersion.Any, events(2));
      await store.appendToStream(stream, ExpectedVersion.Any, events(1));
      await store.appendToStream(other, ExpectedVersion.Any, events(2));
      await rec.waitForCount(1);
      await sleep(50);
      expect(rec.events.map((e) => e.streamId)).to.deep.equal([stream]);
    });

    it('waits for a stream that does not exist yet', async () => {
      const stream = unique('later');
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      await waitForState(sub, 'live');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(2));
      await rec.waitForCount(2);
      expect(rec.numbers()).to.deep.equal([1, 2]);
    });

    it('delivers events linked into the stream, numbered by their place in it', async () => {
      const source = unique('src');
      const target = unique('linked');
      await store.appendToStream(source, ExpectedVersion.NoStream, events(3));
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(target, unique('sub'), rec.handler));
      await waitForState(sub, 'live');
      const originals = await store.readStreamForward(source);
      await store.linkToStream(target, ExpectedVersion.NoStream, originals.slice(1));
      await rec.waitForCount(2);
      expect(rec.numbers()).to.deep.equal([1, 2]);
      expect(rec.events.map((e) => [e.streamId, e.streamVersion])).to.deep.equal([[source, 2], [source, 3]]);
    });

    it('delivers to a $all subscription with $all positions as event numbers', async () => {
      const before = (await store.readAllBackward(-1, 1))[0]?.position ?? 0;
      const rec = new Recorder();
      const sub = track(await store.subscribeToAllStreams(unique('all'), rec.handler, { startFrom: 'current' }));
      await waitForState(sub, 'live');
      await store.appendToStream(unique('a'), ExpectedVersion.Any, events(2));
      await store.appendToStream(unique('b'), ExpectedVersion.Any, events(1));
      await rec.waitForCount(3);
      expect(rec.numbers()).to.deep.equal(range(before + 1, before + 3));
      expect(rec.events.map((e) => e.position)).to.deep.equal(rec.numbers());
    });

    it('hands over from catching up to live without a gap or a repeat while events keep coming', async () => {
      const stream = unique('handover');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(2500));
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      for (let i = 0; i < 20; i++) await store.appendToStream(stream, ExpectedVersion.Any, events(5));
      await rec.waitForCount(2600, 15000);
      await sleep(50);
      expect(rec.numbers()).to.deep.equal(range(1, 2600));
      expect(Math.max(...rec.batches.map((b) => b.length))).to.be.at.most(1000);
    });

    it("delivers events appended inside a caller's transaction once it commits", async () => {
      const stream = unique('trx');
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      const allRec = new Recorder();
      const allSub = track(await store.subscribeToAllStreams(unique('all'), allRec.handler, { startFrom: 'current' }));
      await waitForState(sub, 'live');
      await waitForState(allSub, 'live');
      const em = store.orm.em.fork();
      await em.transactional(async (trx) => {
        await store.appendToStream(stream, ExpectedVersion.NoStream, events(2), { em: trx });
        await sleep(30);
        expect(rec.events).to.have.length(0);
      });
      await rec.waitForCount(2);
      await allRec.waitForCount(2);
      expect(rec.events.map((e) => e.position)).to.deep.equal(allRec.numbers());
      expect(rec.events.every((e) => e.position > 0)).to.equal(true);
    });
  });

  describe('startFrom', () => {
    it('starts after the given event number', async () => {
      const stream = unique('from');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(5));
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, unique('sub'), rec.handler, { startFrom: 3 }));
      await rec.waitForCount(2);
      await sleep(30);
      expect(rec.numbers()).to.deep.equal([4, 5]);
    });

    it("'current' skips what the stream holds already", async () => {
      const stream = unique('current');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler, { startFrom: 'current' }));
      await waitForState(sub, 'live');
      await store.appendToStream(stream, 4, events(1));
      await rec.waitForCount(1);
      expect(rec.numbers()).to.deep.equal([5]);
    });

    it('is used only when the subscription is first created', async () => {
      const stream = unique('once');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
      const first = new Recorder();
      const sub = await store.subscribeToStream(stream, name, first.handler);
      await first.waitForCount(3);
      await sub.unsubscribe();
      await store.appendToStream(stream, 3, events(2));
      const second = new Recorder();
      track(await store.subscribeToStream(stream, name, second.handler, { startFrom: 'current' }));
      await second.waitForCount(2);
      expect(second.numbers()).to.deep.equal([4, 5]);
    });
  });

  describe('acknowledgements and checkpoints', () => {
    it('resumes after the last acknowledged event when subscribed again', async () => {
      const stream = unique('resume');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(6));
      const seen: number[] = [];
      const sub = await store.subscribeToStream(stream, name, async (batch, s) => {
        seen.push(...batch.map((e) => e.eventNumber));
        await s.ack(4);
      }, { bufferSize: 6 });
      await waitUntil(() => seen.length === 6, 'six events arrived');
      await sub.unsubscribe();
      expect(await checkpointOf(store.schema, stream, name)).to.equal(4);
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, name, rec.handler));
      await rec.waitForCount(2);
      expect(rec.numbers()).to.deep.equal([5, 6]);
    });

    it('accepts an event, a batch (its last event) or an event number', async () => {
      const stream = unique('forms');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(6));
      const batches: RecordedEvent[][] = [];
      const sub = track(await store.subscribeToStream(stream, name, (batch) => {
        batches.push(batch);
      }, { bufferSize: 2 }));
      await waitUntil(() => batches.length === 1, 'the first batch arrived');
      await sub.ack(batches[0][1]);
      await waitUntil(() => batches.length === 2, 'the second batch arrived');
      await sub.ack(batches[1]);
      await waitUntil(() => batches.length === 3, 'the third batch arrived');
      await sub.ack(6);
      expect(batches.map((b) => b.map((e) => e.eventNumber))).to.deep.equal([[1, 2], [3, 4], [5, 6]]);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(6);
    });

    it('acknowledges every earlier event in flight with a later one', async () => {
      const stream = unique('cumulative');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
      const seen: number[] = [];
      const sub = track(await store.subscribeToStream(stream, name, (batch) => {
        seen.push(...batch.map((e) => e.eventNumber));
      }, { bufferSize: 4 }));
      await waitUntil(() => seen.length === 4, 'four events arrived');
      await sub.ack(3);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(3);
      expect(await caught(sub.ack(2))).to.be.instanceOf(UnexpectedAckError);
      await sub.ack(4);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(4);
    });

    it('refuses to acknowledge an event that is not in flight, with a typed error', async () => {
      const stream = unique('unexpected');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
      const seen: number[] = [];
      const sub = track(await store.subscribeToStream(stream, name, (batch) => {
        seen.push(...batch.map((e) => e.eventNumber));
      }, { bufferSize: 1 }));
      await waitUntil(() => seen.length === 1, 'the first event arrived');
      const notDelivered = await caught(sub.ack(2));
      expect(notDelivered).to.be.instanceOf(UnexpectedAckError);
      expect(notDelivered).to.include({ code: 'unexpected_ack', eventNumber: 2 });
      expect(await caught(sub.ack(99))).to.be.instanceOf(UnexpectedAckError);
      await sub.ack(1);
      expect(await caught(sub.ack(1))).to.be.instanceOf(UnexpectedAckError);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(1);
    });

    it('rejects acknowledgements of things that are not events', async () => {
      const stream = unique('badack');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(1));
      const rec = new Recorder();
      rec.ack = false;
      const sub = track(await store.subscribeToStream(stream, unique('sub'), rec.handler));
      await rec.waitForCount(1);
      for (const bad of [[], -1, 1.5, 'x', null, {}, { eventNumber: '1' }]) {
        expect(await caught(sub.ack(bad as never)), JSON.stringify(bad)).to.be.instanceOf(InvalidArgumentError);
      }
    });

    it('writes the checkpoint once checkpointThreshold events were acknowledged', async () => {
      const stream = unique('threshold');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(7));
      const seen: RecordedEvent[] = [];
      const sub = track(await store.subscribeToStream(stream, name, (batch) => {
        seen.push(...batch);
      }, { bufferSize: 7, checkpointThreshold: 3 }));
      await waitUntil(() => seen.length === 7, 'seven events arrived');
      await sub.ack(1);
      await sub.ack(2);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(0);
      await sub.ack(3);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(3);
      await sub.ack(4);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(3);
      await sub.ack(7);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(7);
    });

    it('writes a pending checkpoint checkpointAfterMs after the acknowledgement', async () => {
      const stream = unique('after');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(2));
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, name, rec.handler, { checkpointThreshold: 100, checkpointAfterMs: 300 }));
      await rec.waitForCount(2);
      expect(await checkpointOf(store.schema, stream, name)).to.be.below(2);
      await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 2, 'the checkpoint was written');
    });

    it('persists what was acknowledged when unsubscribing', async () => {
      const stream = unique('unsub');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(5));
      const rec = new Recorder();
      const sub = await store.subscribeToStream(stream, name, rec.handler, { checkpointThreshold: 1000 });
      await rec.waitForCount(5);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(0);
      await sub.unsubscribe();
      expect(sub.state).to.equal('stopped');
      expect(await checkpointOf(store.schema, stream, name)).to.equal(5);
      await store.appendToStream(stream, 5, events(1));
      await sleep(50);
      expect(rec.events).to.have.length(5);
    });

    it('keeps catching up when the checkpoint timer fires, skipping nothing', async () => {
      // The reference implementation's checkpoint timer switched a catching-up subscription to live.
      const stream = unique('timer');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(40));
      const seen: number[] = [];
      const sub = track(await store.subscribeToStream(stream, unique('sub'), async (batch, s) => {
        await sleep(3);
        seen.push(...batch.map((e) => e.eventNumber));
        await s.ack(batch);
      }, { bufferSize: 2, checkpointThreshold: 1000, checkpointAfterMs: 1 }));
      await sleep(20);
      await store.appendToStream(stream, 40, events(1));
      await waitUntil(() => seen.length >= 41, '41 events arrived');
      expect(seen).to.deep.equal(range(1, 41));
      await waitForState(sub, 'live');
    });

    it('counts the events the selector drops as acknowledged', async () => {
      const stream = unique('selector');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, [
        ...events(2, 'Skip'), ...events(1, 'Keep'), ...events(2, 'Skip'),
      ]);
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, name, rec.handler, { selector: (e) => e.eventType === 'Keep' }));
      await rec.waitForCount(1);
      expect(rec.numbers()).to.deep.equal([3]);
      await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 5, 'the checkpoint passed the dropped events');
    });

    it('moves the checkpoint when the selector drops everything', async () => {
      const stream = unique('allDropped');
      const name = unique('sub');
      const rec = new Recorder();
      track(await store.subscribeToStream(stream, name, rec.handler, { selector: () => false }));
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
      await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 3, 'the checkpoint reached 3');
      expect(rec.batches).to.have.length(0);
    });

    it('maps events, and mapped objects can be acknowledged', async () => {
      const stream = unique('mapper');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
      const got: Array<{ n: number }> = [];
      track(await store.subscribeToStream<{ n: number }>(stream, name, async (batch, s) => {
        got.push(...batch);
        await s.ack(batch);
      }, { mapper: (e) => ({ n: (e.data as { n: number }).n * 10 }), selector: (e) => (e.data as { n: number }).n !== 2 }));
      await waitUntil(() => got.length === 2, 'two mapped events arrived');
      expect(got).to.deep.equal([{ n: 10 }, { n: 30 }]);
      await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 3, 'the checkpoint reached 3');
    });
  });

  describe('back-pressure and concurrency', () => {
    it('keeps at most bufferSize unacknowledged events in flight', async () => {
      const stream = unique('buffer');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(10));
      const batches: RecordedEvent[][] = [];
      const sub = track(await store.subscribeToStream(stream, unique('sub'), (batch) => {
        batches.push(batch);
      }, { bufferSize: 3 }));
      await waitUntil(() => batches.length === 1, 'a batch arrived');
      await sleep(50);
      expect(batches.flat().map((e) => e.eventNumber)).to.deep.equal([1, 2, 3]);
      await sub.ack(2);
      await waitUntil(() => batches.flat().length === 5, 'two more events arrived');
      await sleep(30);
      expect(batches.flat().map((e) => e.eventNumber)).to.deep.equal([1, 2, 3, 4, 5]);
      await sub.ack(5);
      await waitUntil(() => batches.flat().length === 8, 'three more events arrived');
      expect(batches.every((b) => b.length <= 3)).to.equal(true);
    });

    it('runs batches of different partitions at once, up to concurrencyLimit, never two of one partition', async () => {
      const stream = unique('partitions');
      const partitions = ['a', 'b', 'c'];
      await store.appendToStream(stream, ExpectedVersion.NoStream,
        range(1, 30).map((i) => ({ eventType: 'P', data: { p: partitions[i % 3], i } })));
      const running = new Map<string, number>();
      let concurrent = 0;
      let maxConcurrent = 0;
      const byPartition = new Map<string, number[]>();
      const rec = new Recorder();
      const sub = track(await store.subscribeToStream(stream, unique('sub'), async (batch, s) => {
        const key = (batch[0].data as { p: string }).p;
        expect(batch.every((e) => (e.data as { p: string }).p === key)).to.equal(true);
        expect(running.get(key) ?? 0).to.equal(0);
        running.set(key, 1);
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await sleep(10);
        byPartition.set(key, [...(byPartition.get(key) ?? []), ...batch.map((e) => e.eventNumber)]);
        running.set(key, 0);
        concurrent--;
        rec.batches.push(batch);
        await s.ack(batch);
      }, { concurrencyLimit: 2, partitionBy: (e) => (e.data as { p: string }).p, bufferSize: 4 }));
      await rec.waitForCount(30);
      expect(maxConcurrent).to.equal(2);
      for (const [, numbers] of byPartition) expect(numbers).to.deep.equal([...numbers].sort((x, y) => x - y));
      expect(rec.batches.every((b) => b.length <= 4)).to.equal(true);
      await waitForState(sub, 'live');
    });

    it('never moves the checkpoint past an unacknowledged event of another partition', async () => {
      const stream = unique('outoforder');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream,
        [1, 2, 3, 4].map((i) => ({ eventType: 'P', data: { p: i <= 2 ? 'a' : 'b' } })));
      const batches: RecordedEvent[][] = [];
      const sub = track(await store.subscribeToStream(stream, name, (batch) => {
        batches.push(batch);
      }, { concurrencyLimit: 2, partitionBy: (e) => (e.data as { p: string }).p, bufferSize: 10 }));
      await waitUntil(() => batches.length === 2, 'both partitions arrived');
      await sub.ack(4);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(0);
      await sub.ack(2);
      expect(await checkpointOf(store.schema, stream, name)).to.equal(4);
    });
  });

  describe('failures', () => {
    it('retries a batch whose handler threw, with backoff, reporting the error and the state', async () => {
      const stream = unique('throws');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
      let failures = 2;
      const attempts: number[][] = [];
      const errors: Error[] = [];
      const states: string[] = [];
      const sub = track(await store.subscribeToStream(stream, name, async (batch, s) => {
        attempts.push(batch.map((e) => e.eventNumber));
        if (failures-- > 0) throw new Error('handler failed');
        await s.ack(batch);
      }, { retryDelayMs: 10, onError: (error) => errors.push(error) }));
      sub.on('state', (state) => states.push(state));
      const emitted: Error[] = [];
      sub.on('error', (error) => emitted.push(error));
      await waitUntil(() => attempts.length === 3, 'three attempts');
      await waitUntil(async () => (await checkpointOf(store.schema, stream, name)) === 3, 'the batch was acknowledged');
      expect(attempts).to.deep.equal([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
      expect(errors.map((e) => e.message)).to.deep.equal(['handler failed', 'handler failed']);
      expect(emitted.length).to.be.at.least(1);
      expect(states).to.include('retrying');
      await waitForState(sub, 'live');
    });

    it('redelivers only the unacknowledged part of a failed batch', async () => {
      const stream = unique('partial');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
      const attempts: number[][] = [];
      let fail = true;
      track(await store.subscribeToStream(stream, unique('sub'), async (batch, s) => {
        attempts.push(batch.map((e) => e.eventNumber));
        await s.ack(batch[1]);
        if (fail) {
          fail = false;
          throw new Error('after acknowledging two');
        }
        await s.ack(batch);
      }, { retryDelayMs: 5, onError: () => undefined }));
      await waitUntil(() => attempts.length === 2, 'two attempts');
      expect(attempts).to.deep.equal([[1, 2, 3, 4], [3, 4]]);
    });

    it('stops, with a StreamDeletedError, when its stream is soft-deleted', async () => {
      const stream = unique('deleted');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(1));
      await store.deleteStream(stream, 1);
      const errors: Error[] = [];
      const sub = track(await store.subscribeToStream(stream, unique('sub'), () => undefined, { onError: (e) => errors.push(e) }));
      await waitForState(sub, 'stopped');
      expect(errors[0]).to.be.instanceOf(StreamDeletedError);
    });
  });

  describe('names and deletion', () => {
    it('refuses a second subscription under a name in use in this store', async () => {
      const stream = unique('dup');
      const name = unique('sub');
      track(await store.subscribeToStream(stream, name, () => undefined));
      const error = await caught(store.subscribeToStream(stream, name, () => undefined));
      expect(error).to.be.instanceOf(SubscriptionAlreadyExistsError);
      expect(error).to.include({ code: 'subscription_already_exists', subscriptionName: name });
      track(await store.subscribeToAllStreams(name, () => undefined));
      expect(await caught(store.subscribeToAllStreams(name, () => undefined))).to.be.instanceOf(SubscriptionAlreadyExistsError);
    });

    it('frees the name on unsubscribe', async () => {
      const stream = unique('free');
      const name = unique('sub');
      const first = await store.subscribeToStream(stream, name, () => undefined);
      await first.unsubscribe();
      await first.unsubscribe();
      track(await store.subscribeToStream(stream, name, () => undefined));
    });

    it('deletes a subscription, which can then be created again with another startFrom', async () => {
      const stream = unique('recreate');
      const name = unique('sub');
      await store.appendToStream(stream, ExpectedVersion.NoStream, events(4));
      const first = new Recorder();
      const sub = await store.subscribeToStream(stream, name, first.handler);
      await first.waitForCount(4);
      await store.deleteSubscription(stream, name);
      expect(sub.state).to.equal('stopped');
      expect(await checkpointOf(store.schema, stream, name)).to.equal(undefined);
      const second = new Recorder();
      track(await store.subscribeToStream(stream, name, second.handler, { startFrom: 2 }));
      await second.waitForCount(2);
      expect(second.numbers()).to.deep.equal([3, 4]);
    });

    it('throws SubscriptionNotFoundError when deleting a subscription that does not exist', async () => {
      const error = await caught(store.deleteSubscription('nobody', 'nothing'));
      expect(error).to.be.instanceOf(SubscriptionNotFoundError);
      expect(error).to.include({ code: 'subscription_not_found' });
    });
  });

  describe('bad input', () => {
    const handler = () => undefined;
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      ['an empty name', () => store.subscribeToStream('s', '', handler), 'name'],
      ['a name that is not a string', () => store.subscribeToAllStreams(7 as never, handler), 'name'],
      ['a reserved stream id', () => store.subscribeToStream('$x', 'n', handler), 'streamId'],
      ['an empty stream id', () => store.subscribeToStream('', 'n', handler), 'streamId'],
      ['a handler that is not a function', () => store.subscribeToStream('s', 'n', 'h' as never), 'handler'],
      ['options that are not an object', () => store.subscribeToStream('s', 'n', handler, 5 as never), 'options'],
      ['a startFrom below 0', () => store.subscribeToStream('s', 'n', handler, { startFrom: -1 }), 'options.startFrom'],
      ['an unknown startFrom', () => store.subscribeToStream('s', 'n', handler, { startFrom: 'end' as never }), 'options.startFrom'],
      ['a bufferSize of 0', () => store.subscribeToStream('s', 'n', handler, { bufferSize: 0 }), 'options.bufferSize'],
      ['a fractional checkpointThreshold', () => store.subscribeToStream('s', 'n', handler, { checkpointThreshold: 1.5 }), 'options.checkpointThreshold'],
      ['a negative checkpointAfterMs', () => store.subscribeToStream('s', 'n', handler, { checkpointAfterMs: -5 }), 'options.checkpointAfterMs'],
      ['a concurrencyLimit above 1 without partitionBy', () => store.subscribeToStream('s', 'n', handler, { concurrencyLimit: 2 }), 'options.concurrencyLimit'],
      ['a selector that is not a function', () => store.subscribeToStream('s', 'n', handler, { selector: true as never }), 'options.selector'],
      ['a maxRetryDelayMs below retryDelayMs', () => store.subscribeToStream('s', 'n', handler, { retryDelayMs: 50, maxRetryDelayMs: 10 }), 'options.maxRetryDelayMs'],
      ['an empty name to delete', () => store.deleteSubscription('s', ''), 'name'],
      ['a reserved stream id to delete', () => store.deleteSubscription('$nope', 'n'), 'streamId'],
    ];
    for (const [what, call, argument] of cases) {
      it(`rejects ${what} with InvalidArgumentError and writes nothing`, async () => {
        const before = await tableCounts(store.schema);
        const error = await caught(call);
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error).to.include({ code: 'invalid_argument', argument });
        expect(await tableCounts(store.schema)).to.deep.equal(before);
      });
    }

    it('rejects bad store-wide subscription settings', async () => {
      for (const subscriptions of [{ pollIntervalMs: -1 }, { lockLeaseMs: 5 }, 'fast']) {
        const error = await caught(() => new EventStore(store.orm, { subscriptions: subscriptions as never }));
        expect(error, JSON.stringify(subscriptions)).to.be.instanceOf(InvalidArgumentError);
      }
    });
  });
});
