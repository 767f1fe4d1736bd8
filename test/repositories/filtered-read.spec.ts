import { expect } from 'chai';
import { EventStore, ExpectedVersion, InvalidArgumentError } from '../../src';
import type { EventData, ReadFilter, RecordedEvent } from '../../src';
import { FILTER_SCAN_POSITIONS } from '../../src/repositories/stream-reader';
import { readAllFiltered } from '../support/store-probe';
import { caught, connectStore, disposeStore, events } from '../support/stores';

const typed = (types: string[]): EventData[] => types.map((eventType, i) => ({ eventType, data: { i } }));
const positions = (read: RecordedEvent[]) => read.map((e) => e.position);
const collect = async (iterable: AsyncIterable<RecordedEvent>) => {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
};

describe('filtered reads of $all', () => {
  let store: EventStore;
  let all: RecordedEvent[];

  before(async () => {
    store = await connectStore('filtered_read', { enableHardDeletes: true });
    await store.appendToStream('order-1', ExpectedVersion.NoStream, typed(['Placed', 'Paid', 'Noise', 'Shipped']));
    await store.appendToStream('invoice-1', ExpectedVersion.NoStream, typed(['Issued', 'Paid', 'Noise']));
    await store.appendToStream('order-2', ExpectedVersion.NoStream, typed(['Placed', 'Noise', 'Noise', 'Paid']));
    await store.appendToStream('orders-x', ExpectedVersion.NoStream, typed(['Placed']));
    await store.appendToStream('gone-1', ExpectedVersion.NoStream, typed(['Paid', 'Paid']));
    await store.appendToStream('order-3', ExpectedVersion.NoStream, typed(['Paid']));
    await store.deleteStream('gone-1', ExpectedVersion.Any, { hard: true });
    all = await store.readAllForward();
  });
  after(() => disposeStore(store));

  const expected = (keep: (e: RecordedEvent) => boolean) => positions(all.filter(keep));

  it('reads only the events of the given types, in $all order, with their own numbers and streams', async () => {
    const read = await store.readAllForward(0, 100, { filter: { eventTypes: ['Paid', 'Placed'] } });
    expect(positions(read)).to.deep.equal(expected((e) => e.eventType === 'Paid' || e.eventType === 'Placed'));
    expect(read.map((e) => e.eventNumber)).to.deep.equal(positions(read));
    expect(read.find((e) => e.streamId === 'order-2' && e.eventType === 'Paid')!.streamVersion).to.equal(4);
    expect(read.some((e) => e.streamId === 'gone-1')).to.equal(false);
  });

  it('counts matches: count events of the type, from the start position inclusive', async () => {
    const paid = expected((e) => e.eventType === 'Paid');
    expect(positions(await store.readAllForward(0, 2, { filter: { eventTypes: ['Paid'] } }))).to.deep.equal(paid.slice(0, 2));
    expect(positions(await store.readAllForward(paid[1], 2, { filter: { eventTypes: ['Paid'] } }))).to.deep.equal(paid.slice(1, 3));
    expect(positions(await store.readAllForward(paid[paid.length - 1] + 1, 5, { filter: { eventTypes: ['Paid'] } }))).to.deep.equal([]);
  });

  it('reads the streams whose id starts with a prefix, and both filters together', async () => {
    const orders = await store.readAllForward(0, 100, { filter: { streamPrefix: 'order-' } });
    expect(positions(orders)).to.deep.equal(expected((e) => e.streamId.startsWith('order-')));
    const ordersPrefix = await store.readAllForward(0, 100, { filter: { streamPrefix: 'order' } });
    expect(positions(ordersPrefix)).to.deep.equal(expected((e) => e.streamId.startsWith('order')));
    // `%` and `_` are plain characters in a prefix.
    expect(await store.readAllForward(0, 100, { filter: { streamPrefix: 'order_' } })).to.deep.equal([]);
    const both = await store.readAllForward(0, 100, { filter: { streamPrefix: 'order-', eventTypes: ['Paid'] } });
    expect(positions(both)).to.deep.equal(expected((e) => e.streamId.startsWith('order-') && e.eventType === 'Paid'));
    expect(both.length).to.equal(3);
  });

  it('streamAllForward pages through the matches only', async () => {
    const read = await collect(store.streamAllForward(0, { batchSize: 2, filter: { eventTypes: ['Noise'] } }));
    expect(positions(read)).to.deep.equal(expected((e) => e.eventType === 'Noise'));
    expect(read.length).to.equal(4);
  });

  it('returns how far it looked: a stretch without matches costs one query, and the position after it', async () => {
    const filter = { eventTypes: ['Shipped'] };
    const last = all[all.length - 1].position;
    const page = await readAllFiltered(store, 1, 10, filter);
    expect(positions(page.events)).to.deep.equal(expected((e) => e.eventType === 'Shipped'));
    expect(page.scannedTo).to.equal(last);
    expect(page.more).to.equal(false);
    const beyond = await readAllFiltered(store, last + 1, 10, filter);
    expect(beyond).to.deep.equal({ events: [], scannedTo: last, more: false });
    const full = await readAllFiltered(store, 1, 1, { eventTypes: ['Paid'] });
    expect(full.scannedTo).to.equal(full.events[0].position);
    expect(full.more).to.equal(true);
  });

  it('steps over a long stretch without a match in windows of many positions, never event pages', async () => {
    const local = await connectStore('filtered_stretch');
    try {
      await local.appendToStream('noise', ExpectedVersion.NoStream, events(3000, 'Noise'));
      await local.appendToStream('rare', ExpectedVersion.NoStream, events(1, 'Rare'));
      const page = await readAllFiltered(local, 1, 10, { eventTypes: ['Rare'] });
      expect(positions(page.events)).to.deep.equal([3001]);
      expect(FILTER_SCAN_POSITIONS).to.be.greaterThan(3001);
      expect(positions(await local.readAllForward(0, 10, { filter: { eventTypes: ['Rare'] } }))).to.deep.equal([3001]);
    } finally {
      await disposeStore(local);
    }
  });

  describe('bad filters are typed errors', () => {
    const bad: [string, unknown][] = [
      ['not an object', 'Paid'],
      ['an array', ['Paid']],
      ['neither key', {}],
      ['an unknown key', { types: ['Paid'] }],
      ['empty types', { eventTypes: [] }],
      ['types not an array', { eventTypes: 'Paid' }],
      ['a non-string type', { eventTypes: ['Paid', 7] }],
      ['an empty type', { eventTypes: [''] }],
      ['a NUL in a type', { eventTypes: ['a\u0000b'] }],
      ['an empty prefix', { streamPrefix: '' }],
      ['a non-string prefix', { streamPrefix: 5 }],
      ['a $ prefix', { streamPrefix: '$all' }],
    ];
    for (const [label, filter] of bad) {
      it(`rejects ${label}`, async () => {
        const error = await caught(store.readAllForward(0, 10, { filter: filter as ReadFilter }));
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.code).to.equal('invalid_argument');
        expect(error.message).to.match(/options\.filter/);
      });
    }

    it('rejects a filter on a stream read, a stream subscription and a bad one on subscribe', async () => {
      expect(await caught(() => store.streamForward('order-1', 0, { filter: { eventTypes: ['Paid'] } })[Symbol.asyncIterator]().next()))
        .to.be.instanceOf(InvalidArgumentError);
      expect(await caught(store.subscribe('order-1', () => undefined, { filter: { eventTypes: ['Paid'] } }))).to.be.instanceOf(InvalidArgumentError);
      expect(await caught(store.subscribeToStream('order-1', 'sub', () => undefined, { filter: { eventTypes: ['Paid'] } })))
        .to.be.instanceOf(InvalidArgumentError);
      expect(await caught(store.subscribeToAllStreams('sub', () => undefined, { filter: { eventTypes: [] } }))).to.be.instanceOf(InvalidArgumentError);
    });
  });
});
