import { expect } from 'chai';
import { EventStore, ExpectedVersion, InvalidArgumentError, StreamDeletedError, Subscription } from '../../src';
import { caught, connectStore, disposeStore, events, tableCounts } from '../support/stores';
import { Recorder, sleep, waitUntil } from './helpers';

describe('transient subscriptions', () => {
  let store: EventStore;
  let n = 0;
  const unique = (label: string) => `${label}-${++n}`;
  const open: Subscription<any>[] = [];

  before(async () => {
    store = await connectStore('transient');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
  });
  after(() => disposeStore(store));

  it('delivers only the events of the stream committed after subscribing', async () => {
    const stream = unique('s');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(3));
    const rec = new Recorder();
    open.push(await store.subscribe(stream, rec.handler));
    await store.appendToStream(unique('other'), ExpectedVersion.Any, events(1));
    await store.appendToStream(stream, 3, events(2));
    await rec.waitForCount(2);
    await sleep(30);
    expect(rec.numbers()).to.deep.equal([4, 5]);
    expect(rec.events.every((e) => e.streamId === stream)).to.equal(true);
  });

  it('delivers $all events committed after subscribing, numbered by position', async () => {
    await store.appendToStream(unique('before'), ExpectedVersion.Any, events(2));
    const last = (await store.readAllBackward(-1, 1))[0].position;
    const rec = new Recorder();
    const sub = await store.subscribe('$all', rec.handler);
    open.push(sub);
    expect(sub.state).to.equal('live');
    expect(sub.name).to.equal(undefined);
    await store.appendToStream(unique('a'), ExpectedVersion.Any, events(2));
    await store.appendToStream(unique('b'), ExpectedVersion.Any, events(1));
    await rec.waitForCount(3);
    expect(rec.numbers()).to.deep.equal([last + 1, last + 2, last + 3]);
  });

  it('stops delivering after unsubscribe', async () => {
    const stream = unique('stop');
    const rec = new Recorder();
    const sub = await store.subscribe(stream, rec.handler);
    await store.appendToStream(stream, ExpectedVersion.Any, events(1));
    await rec.waitForCount(1);
    await sub.unsubscribe();
    expect(sub.state).to.equal('stopped');
    await store.appendToStream(stream, ExpectedVersion.Any, events(1));
    await sleep(50);
    expect(rec.events).to.have.length(1);
  });

  it('applies the selector, then the mapper', async () => {
    const stream = unique('map');
    const got: number[][] = [];
    open.push(await store.subscribe<number>(stream, (batch) => {
      got.push(batch);
    }, { selector: (e) => e.eventType === 'Keep', mapper: (e) => (e.data as { n: number }).n }));
    await store.appendToStream(stream, ExpectedVersion.Any, [...events(1, 'Keep', 1), ...events(1, 'Drop', 2), ...events(1, 'Keep', 3)]);
    await waitUntil(() => got.flat().length === 2, 'two mapped events arrived');
    expect(got.flat()).to.deep.equal([1, 3]);
  });

  it('reports a handler that throws and keeps delivering', async () => {
    const stream = unique('throws');
    const errors: Error[] = [];
    const seen: number[] = [];
    const sub = await store.subscribe(stream, (batch) => {
      seen.push(...batch.map((e) => e.eventNumber));
      if (batch[0].eventNumber === 1) throw new Error('first batch fails');
    });
    open.push(sub);
    sub.on('error', (error) => errors.push(error));
    await store.appendToStream(stream, ExpectedVersion.Any, events(1));
    await waitUntil(() => errors.length === 1, 'the error was reported');
    await store.appendToStream(stream, ExpectedVersion.Any, events(1));
    await waitUntil(() => seen.length === 2, 'the second event arrived');
    expect(seen).to.deep.equal([1, 2]);
    expect(errors[0].message).to.equal('first batch fails');
  });

  it('has nothing to acknowledge, but still checks what it is given', async () => {
    const sub = await store.subscribe(unique('ack'), () => undefined);
    open.push(sub);
    await sub.ack(3);
    expect(await caught(sub.ack('x' as never))).to.be.instanceOf(InvalidArgumentError);
  });

  it('refuses a soft-deleted stream', async () => {
    const stream = unique('deleted');
    await store.appendToStream(stream, ExpectedVersion.NoStream, events(1));
    await store.deleteStream(stream, 1);
    expect(await caught(store.subscribe(stream, () => undefined))).to.be.instanceOf(StreamDeletedError);
  });

  for (const [what, call, argument] of [
    ['a reserved stream id', () => store.subscribe('$nope', () => undefined), 'streamIdOrAll'],
    ['a stream id that is not a string', () => store.subscribe(12 as never, () => undefined), 'streamIdOrAll'],
    ['a handler that is not a function', () => store.subscribe('s', null as never), 'handler'],
    ['a mapper that is not a function', () => store.subscribe('s', () => undefined, { mapper: 'x' as never }), 'options.mapper'],
    ['an onError that is not a function', () => store.subscribe('s', () => undefined, { onError: 1 as never }), 'options.onError'],
  ] as Array<[string, () => Promise<unknown>, string]>) {
    it(`rejects ${what} with InvalidArgumentError and writes nothing`, async () => {
      const before = await tableCounts(store.schema);
      const error = await caught(call);
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error).to.include({ argument });
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });
  }
});
