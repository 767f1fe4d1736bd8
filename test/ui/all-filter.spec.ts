/** Pages of `$all` with the type and stream-prefix filters, both ways, bounded in what they read. */
import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { readAllPage } from '../../src/ui/all-filter';
import { connectStore, disposeStore } from '../support/stores';

describe('event browser: filtered pages of $all', () => {
  let store: EventStore;
  const none = { eventTypes: [], streamPrefix: '' };

  before(async () => {
    store = await connectStore('ui_filter');
    // Positions 1..30: a-1 gets A at odd positions, b-1 gets B at even ones.
    for (let i = 1; i <= 15; i++) {
      await store.appendToStream('a-1', ExpectedVersion.Any, [{ eventType: 'A', data: { i } }]);
      await store.appendToStream('b-1', ExpectedVersion.Any, [{ eventType: 'B', data: { i } }]);
    }
  });

  after(() => disposeStore(store));

  it('reads forward from a position, with the cursor after the last match', async () => {
    const page = await readAllPage(store, { direction: 'forward', start: 4, count: 3, filter: { eventTypes: ['A'], streamPrefix: '' } });
    expect(page.events.map((e) => e.position)).to.deep.equal([5, 7, 9]);
    expect(page.next).to.equal(10);
    const rest = await readAllPage(store, { direction: 'forward', start: 10, count: 100, filter: none });
    expect(rest.events).to.have.length(21);
    expect(rest.next).to.equal(31);
  });

  it('reads backward from the end by stream prefix, and says when the beginning is reached', async () => {
    const page = await readAllPage(store, { direction: 'backward', start: -1, count: 2, filter: { eventTypes: [], streamPrefix: 'b-' } });
    expect(page.events.map((e) => e.position)).to.deep.equal([30, 28]);
    expect(page.next).to.equal(27);
    const last = await readAllPage(store, { direction: 'backward', start: 3, count: 5, filter: { eventTypes: [], streamPrefix: 'b-' } });
    expect(last.events.map((e) => e.position)).to.deep.equal([2]);
    expect(last.next).to.equal(null);
  });

  it('stops after reading its scan limit, with where to go on', async () => {
    const page = await readAllPage(store, { direction: 'backward', start: -1, count: 5, filter: { eventTypes: ['C'], streamPrefix: '' }, scanLimit: 10 });
    expect(page.events).to.deep.equal([]);
    expect(page.scanned).to.equal(10);
    expect(page.next).to.equal(20);
    const both = await readAllPage(store, { direction: 'forward', start: 0, count: 50, filter: { eventTypes: ['A', 'B'], streamPrefix: 'a-' } });
    expect(both.events).to.have.length(15);
  });
});
