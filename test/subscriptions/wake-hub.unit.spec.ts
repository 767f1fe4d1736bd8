import { expect } from 'chai';
import type { Logger } from '@mikro-orm/core';
import { StreamsWithNewEvents, Wakeable, WakeHub } from '../../src/subscriptions/wake-hub';
import { waitUntil } from '../support/wait';

/** A listener that records its wake-ups. */
class Listener implements Wakeable {
  readonly wakes: Array<number | undefined> = [];
  wake(position?: number): void {
    this.wakes.push(position);
  }
}

const logged: string[] = [];
const logger = { error: (_namespace: string, message: string) => logged.push(message) } as unknown as Logger;

/** A hub whose "which streams got events" query answers from `appended` (stream -> positions). */
function hub(appended: Record<string, number[]> = {}, fail = false) {
  const queries: Array<{ after: number; upTo: number; streamIds: string[] }> = [];
  const streamsWithNewEvents: StreamsWithNewEvents = async (after, upTo, streamIds) => {
    queries.push({ after, upTo, streamIds: [...streamIds].sort() });
    if (fail) throw new Error('connection lost');
    return streamIds.filter((id) => (appended[id] ?? []).some((p) => p > after && p <= upTo));
  };
  return { hub: new WakeHub(streamsWithNewEvents, logger), queries };
}

describe('WakeHub', () => {
  beforeEach(() => (logged.length = 0));

  it('wakes every $all listener with a new position, and once per position', () => {
    const { hub: h } = hub();
    const a = new Listener();
    const b = new Listener();
    h.addAll(a);
    h.addAll(b);
    h.seed(3);
    h.notification('5');
    h.notification('5');
    h.notification('4');
    expect(a.wakes).to.deep.equal([5]);
    expect(b.wakes).to.deep.equal([5]);
  });

  it('ignores what is not a position, and an append inside a caller\'s transaction (its sweep will tell)', () => {
    const { hub: h } = hub();
    const a = new Listener();
    h.addAll(a);
    h.notification('w');
    h.notification('soon');
    h.notification('1.5');
    h.notification(String(2 ** 60));
    expect(a.wakes).to.deep.equal([]);
  });

  it('wakes only the stream listeners whose stream got positions in the new range, with one query', async () => {
    const { hub: h, queries } = hub({ orders: [4], users: [9] });
    const orders = new Listener();
    const users = new Listener();
    const other = new Listener();
    h.addStream('orders', orders);
    h.addStream('users', users);
    h.addStream('other', other);
    h.seed(2);
    h.advance(5);
    await waitUntil(() => orders.wakes.length === 1, 'orders woke', 1000);
    expect(queries).to.deep.equal([{ after: 2, upTo: 5, streamIds: ['orders', 'other', 'users'] }]);
    expect(users.wakes).to.deep.equal([]);
    expect(other.wakes).to.deep.equal([]);
    h.advance(9);
    await waitUntil(() => users.wakes.length === 1, 'users woke', 1000);
    expect(queries[1]).to.deep.include({ after: 5, upTo: 9 });
    expect(orders.wakes).to.have.length(1);
  });

  it('wakes every stream listener when it does not know where $all stood (not seeded)', async () => {
    const { hub: h, queries } = hub();
    const s = new Listener();
    h.addStream('s', s);
    h.advance(7);
    await waitUntil(() => s.wakes.length === 1, 's woke', 1000);
    expect(queries).to.deep.equal([]);
  });

  it('wakes every stream listener, without a query, over a very large range', async () => {
    const { hub: h, queries } = hub();
    const s = new Listener();
    h.addStream('s', s);
    h.seed(0);
    h.advance(1_000_000);
    await waitUntil(() => s.wakes.length === 1, 's woke', 1000);
    expect(queries).to.deep.equal([]);
  });

  it('wakes every stream listener when the query fails, and logs why', async () => {
    const { hub: h } = hub({}, true);
    const s = new Listener();
    h.addStream('s', s);
    h.seed(0);
    h.advance(3);
    await waitUntil(() => s.wakes.length === 1, 's woke', 1000);
    expect(logged.join()).to.match(/wake-up query failed: connection lost/);
  });

  it('wakes every stream listener on a link, which has no position', () => {
    const { hub: h } = hub();
    const s = new Listener();
    const all = new Listener();
    h.addStream('s', s);
    h.addAll(all);
    h.notification('l');
    expect(s.wakes).to.deep.equal([undefined]);
    expect(all.wakes).to.deep.equal([]);
  });

  it('wakes everyone when the LISTEN connection comes back', () => {
    const { hub: h } = hub();
    const s = new Listener();
    const all = new Listener();
    h.addStream('s', s);
    h.addAll(all);
    h.reconnected();
    expect(s.wakes).to.deep.equal([undefined]);
    expect(all.wakes).to.deep.equal([undefined]);
  });

  it('wakes a listener waiting for the next position once, whatever the stream', async () => {
    const { hub: h } = hub();
    const s = new Listener();
    h.wakeOnNextPosition(s);
    h.seed(1);
    h.advance(2);
    h.advance(3);
    expect(s.wakes).to.deep.equal([undefined]);
  });

  it('forgets a removed listener, and counts listeners and streams', () => {
    const { hub: h } = hub();
    const a = new Listener();
    const s = new Listener();
    h.addAll(a);
    h.addStream('x', s);
    h.addStream('x', new Listener());
    expect(h.size).to.equal(2);
    h.remove(a);
    h.remove(s);
    expect(h.size).to.equal(1);
    h.notification('9');
    h.reconnected();
    expect(a.wakes).to.deep.equal([]);
    expect(s.wakes).to.deep.equal([]);
  });

  it('keeps its first seed', async () => {
    const { hub: h, queries } = hub({ s: [6] });
    h.addStream('s', new Listener());
    h.seed(5);
    h.seed(1);
    h.advance(6);
    await waitUntil(() => queries.length === 1, 'the query ran', 1000);
    expect(queries[0]).to.deep.include({ after: 5, upTo: 6 });
  });
});
