import { expect } from 'chai';
import type { RecordedEvent } from '../../src';
import { Batch, Dispatcher, Queued, requeue } from '../../src/subscriptions/dispatcher';

function entry(n: number, key: unknown): Queued {
  return { event: { eventNumber: n } as RecordedEvent, key };
}

/** Entries `[n]` are of partition 'one'; `[n, key]` of partition `key` (undefined included). */
function queueOf(...entries: Array<[number] | [number, unknown]>): Queued[] {
  return entries.map((e) => entry(e[0], e.length === 1 ? 'one' : e[1]));
}

const numbers = (entries: readonly Queued[]) => entries.map((e) => e.event.eventNumber);
const shape = (batches: Batch[]) => batches.map((b) => ({ key: b.key, numbers: numbers(b.entries) }));

describe('Dispatcher', () => {
  it('hands one partition out as one batch, in order, up to bufferSize', () => {
    const dispatcher = new Dispatcher(3, 1);
    const queue = queueOf([1], [2], [3], [4], [5]);
    expect(shape(dispatcher.take(queue))).to.deep.equal([{ key: 'one', numbers: [1, 2, 3] }]);
    expect(numbers(queue)).to.deep.equal([4, 5]);
    expect(dispatcher.inFlightCount).to.equal(3);
    expect(dispatcher.oldestInFlight()).to.equal(1);
  });

  it('hands out nothing while the partition is in the handler, then the next batch once it returns', () => {
    const dispatcher = new Dispatcher(10, 1);
    const queue = queueOf([1], [2]);
    const [first] = dispatcher.take(queue);
    queue.push(entry(3, 'one'));
    expect(dispatcher.take(queue)).to.deep.equal([]);
    expect(numbers(queue)).to.deep.equal([3]);
    dispatcher.finished(first);
    expect(shape(dispatcher.take(queue))).to.deep.equal([{ key: 'one', numbers: [3] }]);
  });

  it('keeps the buffer full until acknowledgements make room, whatever the handler returned', () => {
    const dispatcher = new Dispatcher(2, 1);
    const queue = queueOf([1], [2], [3]);
    const [batch] = dispatcher.take(queue);
    dispatcher.finished(batch);
    expect(dispatcher.take(queue), 'no room: two unacknowledged events').to.deep.equal([]);
    expect(dispatcher.ack(1)).to.deep.equal([1]);
    expect(shape(dispatcher.take(queue))).to.deep.equal([{ key: 'one', numbers: [3] }]);
    expect(dispatcher.oldestInFlight()).to.equal(2);
  });

  it('runs up to concurrencyLimit partitions at once, never two batches of one', () => {
    const dispatcher = new Dispatcher(100, 2);
    const queue = queueOf([1, 'a'], [2, 'b'], [3, 'a'], [4, 'c'], [5, 'b'], [6, 'c']);
    expect(shape(dispatcher.take(queue))).to.deep.equal([
      { key: 'a', numbers: [1, 3] },
      { key: 'b', numbers: [2, 5] },
    ]);
    // c waits for a free slot; its events keep their order in the queue.
    expect(numbers(queue)).to.deep.equal([4, 6]);
    expect(dispatcher.take(queue)).to.deep.equal([]);
  });

  it('lets a later partition pass a partition that is still in the handler', () => {
    const dispatcher = new Dispatcher(100, 2);
    const [a] = dispatcher.take(queueOf([1, 'a']));
    const queue = queueOf([2, 'a'], [3, 'b'], [4, 'a'], [5, 'b']);
    expect(shape(dispatcher.take(queue))).to.deep.equal([{ key: 'b', numbers: [3, 5] }]);
    expect(numbers(queue), 'a waits behind its running batch, in order').to.deep.equal([2, 4]);
    dispatcher.finished(a);
    expect(shape(dispatcher.take(queue))).to.deep.equal([{ key: 'a', numbers: [2, 4] }]);
  });

  it('stops scanning the queue when the buffer is full, so a batch never exceeds the room left', () => {
    const dispatcher = new Dispatcher(3, 3);
    const queue = queueOf([1, 'a'], [2, 'b'], [3, 'a'], [4, 'c'], [5, 'a']);
    expect(shape(dispatcher.take(queue))).to.deep.equal([
      { key: 'a', numbers: [1, 3] },
      { key: 'b', numbers: [2] },
    ]);
    expect(numbers(queue)).to.deep.equal([4, 5]);
  });

  it('acknowledges an event and the earlier in-flight events of its partition only', () => {
    const dispatcher = new Dispatcher(100, 2);
    dispatcher.take(queueOf([1, 'a'], [2, 'b'], [3, 'a'], [4, 'b'], [5, 'a']));
    expect(dispatcher.ack(3)).to.deep.equal([1, 3]);
    expect(dispatcher.oldestInFlight()).to.equal(2);
    expect(dispatcher.inFlightCount).to.equal(3);
    expect(dispatcher.ack(3), 'already acknowledged').to.equal(undefined);
    expect(dispatcher.ack(99), 'never handed out').to.equal(undefined);
    expect(dispatcher.ack(4)).to.deep.equal([2, 4]);
    expect(dispatcher.ack(5)).to.deep.equal([5]);
    expect(dispatcher.inFlightCount).to.equal(0);
    expect(dispatcher.oldestInFlight()).to.equal(undefined);
  });

  it('withdraws the unacknowledged events of a failed batch, to be delivered again in order', () => {
    const dispatcher = new Dispatcher(100, 1);
    const queue = queueOf([1], [2], [3], [4]);
    const [batch] = dispatcher.take(queue.splice(0, 3));
    dispatcher.ack(1);
    const back = dispatcher.withdraw(batch);
    expect(numbers(back)).to.deep.equal([2, 3]);
    expect(dispatcher.inFlightCount).to.equal(0);
    expect(dispatcher.oldestInFlight()).to.equal(undefined);
    const again = requeue(queue, back);
    expect(numbers(again)).to.deep.equal([2, 3, 4]);
    expect(shape(dispatcher.take(again)), 'the partition runs again at once').to.deep.equal([{ key: 'one', numbers: [2, 3, 4] }]);
  });

  it('withdraws nothing from a batch that was fully acknowledged', () => {
    const dispatcher = new Dispatcher(100, 1);
    const [batch] = dispatcher.take(queueOf([1], [2]));
    dispatcher.ack(2);
    expect(dispatcher.withdraw(batch)).to.deep.equal([]);
    expect(dispatcher.take(queueOf([3])).length, 'the partition is free again').to.equal(1);
  });

  it('withdraws one partition without touching what another has in flight', () => {
    const dispatcher = new Dispatcher(100, 2);
    const [a] = dispatcher.take(queueOf([1, 'a'], [2, 'b'], [3, 'a']));
    expect(numbers(dispatcher.withdraw(a))).to.deep.equal([1, 3]);
    expect(dispatcher.inFlightCount).to.equal(1);
    expect(dispatcher.oldestInFlight()).to.equal(2);
    expect(dispatcher.ack(2)).to.deep.equal([2]);
  });

  it('takes nothing from an empty queue and leaves it as it is', () => {
    const dispatcher = new Dispatcher(10, 1);
    const queue: Queued[] = [];
    expect(dispatcher.take(queue)).to.deep.equal([]);
    expect(dispatcher.inFlightCount).to.equal(0);
  });

  it('treats undefined and null as partitions of their own', () => {
    const dispatcher = new Dispatcher(10, 3);
    const batches = dispatcher.take(queueOf([1, undefined], [2, null], [3, undefined]));
    expect(shape(batches)).to.deep.equal([
      { key: undefined, numbers: [1, 3] },
      { key: null, numbers: [2] },
    ]);
  });
});

describe('requeue', () => {
  it('merges withdrawn events in front of their successors, both lists ascending', () => {
    const merged = requeue(queueOf([2], [5], [7]), queueOf([1], [3], [4], [8]));
    expect(numbers(merged)).to.deep.equal([1, 2, 3, 4, 5, 7, 8]);
  });

  it('returns either list alone when the other is empty', () => {
    expect(numbers(requeue([], queueOf([1], [2])))).to.deep.equal([1, 2]);
    expect(numbers(requeue(queueOf([3]), []))).to.deep.equal([3]);
    expect(requeue([], [])).to.deep.equal([]);
  });
});
