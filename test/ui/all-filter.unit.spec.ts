import { expect } from 'chai';
import type { EventStore, RecordedEvent } from '../../src';
import { AllFilter, isFiltered, matchesFilter, readAllPage } from '../../src/ui/all-filter';
import { eventView, PREVIEW_CHARS } from '../../src/ui/event-view';

/** `$all` in memory: positions 1..n (some missing, as gaps), with the store's two reads. */
function memoryAll(events: Array<Pick<RecordedEvent, 'position' | 'eventType' | 'streamId'>>) {
  const reads: Array<[string, number, number]> = [];
  const all = events as RecordedEvent[];
  const store = {
    reads,
    async readAllForward(start = 0, count = 1000) {
      reads.push(['forward', start, count]);
      return all.filter((e) => e.position >= start).slice(0, count);
    },
    async readAllBackward(start = -1, count = 1000) {
      reads.push(['backward', start, count]);
      return all.filter((e) => start === -1 || e.position <= start).reverse().slice(0, count);
    },
  };
  return store as typeof store & Pick<EventStore, 'readAllForward' | 'readAllBackward'>;
}

const log = Array.from({ length: 20 }, (_, i) => ({ position: i + 1, eventType: i % 4 === 0 ? 'Paid' : 'Noise', streamId: i % 2 === 0 ? 'order-1' : 'user-1' }));
const none: AllFilter = { eventTypes: [], streamPrefix: '' };
const paid: AllFilter = { eventTypes: ['Paid'], streamPrefix: '' };
const positions = (events: RecordedEvent[]) => events.map((e) => e.position);

describe('event browser: pages of $all', () => {
  it('matches on type and stream prefix, and knows when a filter is set', () => {
    const event = { eventType: 'Paid', streamId: 'order-1' } as RecordedEvent;
    expect(matchesFilter(event, none)).to.equal(true);
    expect(matchesFilter(event, { eventTypes: ['Paid'], streamPrefix: 'order-' })).to.equal(true);
    expect(matchesFilter(event, { eventTypes: ['Shipped'], streamPrefix: '' })).to.equal(false);
    expect(matchesFilter(event, { eventTypes: [], streamPrefix: 'user-' })).to.equal(false);
    expect([isFiltered(none), isFiltered(paid), isFiltered({ eventTypes: [], streamPrefix: 'o' })]).to.deep.equal([false, true, true]);
  });

  it('reads one page forward without a filter, and says where the next starts', async () => {
    const store = memoryAll(log);
    const page = await readAllPage(store, { direction: 'forward', start: 1, count: 5, filter: none });
    expect(positions(page.events)).to.deep.equal([1, 2, 3, 4, 5]);
    expect([page.next, page.scanned]).to.deep.equal([6, 5]);
    expect(store.reads).to.deep.equal([['forward', 1, 5]]);
  });

  it('collects matching events over several reads, forward and backward', async () => {
    const forward = await readAllPage(memoryAll(log), { direction: 'forward', start: 1, count: 3, filter: paid });
    expect(positions(forward.events)).to.deep.equal([1, 5, 9]);
    expect(forward.next).to.equal(10);
    const backward = await readAllPage(memoryAll(log), { direction: 'backward', start: -1, count: 2, filter: paid });
    expect(positions(backward.events)).to.deep.equal([17, 13]);
    expect(backward.next).to.equal(12);
  });

  it('stops at the scan limit with what it found and where to go on', async () => {
    const page = await readAllPage(memoryAll(log), { direction: 'forward', start: 1, count: 10, filter: { eventTypes: ['Rare'], streamPrefix: '' }, scanLimit: 7 });
    expect(page.events).to.deep.equal([]);
    expect(page.scanned).to.equal(7);
    expect(page.next).to.equal(8);
  });

  it('ends at the end of $all: forward at the next position to come, backward with null', async () => {
    const forward = await readAllPage(memoryAll(log), { direction: 'forward', start: 18, count: 10, filter: none });
    expect(positions(forward.events)).to.deep.equal([18, 19, 20]);
    expect(forward.next).to.equal(21);
    const backward = await readAllPage(memoryAll(log), { direction: 'backward', start: 3, count: 10, filter: none });
    expect(positions(backward.events)).to.deep.equal([3, 2, 1]);
    expect(backward.next).to.equal(null);
    const empty = await readAllPage(memoryAll([]), { direction: 'forward', start: 1, count: 10, filter: none });
    expect([empty.events.length, empty.next]).to.deep.equal([0, 1]);
  });
});

describe('event browser: events as the page gets them', () => {
  const event = {
    eventId: 'e', eventNumber: 3, position: 7, streamId: 's', streamVersion: 3, eventType: 'T',
    data: { note: 'x'.repeat(PREVIEW_CHARS) }, metadata: null, causationId: null, correlationId: null, createdAt: new Date(0),
  } as RecordedEvent;

  it('shortens large data to a preview in lists, and says so', () => {
    const view = eventView(event, { full: false });
    expect(view.truncated).to.equal(true);
    expect(view.data).to.be.a('string').with.length(PREVIEW_CHARS + 1);
    expect(view.dataSize).to.equal(JSON.stringify(event.data).length);
    expect(view.createdAt).to.equal('1970-01-01T00:00:00.000Z');
  });

  it('gives the whole event on demand, and small data as it is', () => {
    expect(eventView(event, { full: true })).to.deep.include({ data: event.data, truncated: false, metadata: null });
    expect(eventView({ ...event, data: { a: 1 } }, { full: false })).to.deep.include({ data: { a: 1 }, truncated: false, dataSize: 7 });
  });
});
