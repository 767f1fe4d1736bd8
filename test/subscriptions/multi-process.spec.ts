import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { ReportLine, ReportingChild } from '../support/reporting-child';
import { connectStore, disposeStore, events } from '../support/stores';
import { checkpointOf, range, sleep, waitUntil } from './helpers';

interface Line extends ReportLine {
  type: 'ready' | 'state' | 'start' | 'end' | 'acked' | 'error' | 'stopped' | 'fatal';
  state?: string;
  numbers?: number[];
  number?: number;
  message?: string;
}

/** A process running test/support/subscription-child.ts, and what it reported. */
class Child extends ReportingChild<Line> {
  constructor(env: Record<string, string>) {
    super('test/support/subscription-child.ts', env);
  }

  get state(): string | undefined {
    return [...this.lines].reverse().find((l) => l.type === 'state' || l.type === 'ready')?.state;
  }

  /** Event numbers delivered to the handler, in order. */
  delivered(): number[] {
    return this.lines.filter((l) => l.type === 'start').flatMap((l) => l.numbers!);
  }

  /** The last number acknowledged (before `until`). */
  acked(until = Infinity): number {
    return Math.max(0, ...this.lines.filter((l) => l.type === 'acked' && l.at < until).map((l) => l.number!));
  }

  /** [start, end] of every handler call; one still running ends at `openUntil`. */
  intervals(openUntil: number): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    let start: number | undefined;
    for (const line of this.lines) {
      if (line.type === 'start') start = line.at;
      if (line.type === 'end' && start !== undefined) {
        result.push([start, line.at]);
        start = undefined;
      }
    }
    if (start !== undefined) result.push([start, openUntil]);
    return result;
  }
}

describe('subscriptions in several processes', function () {
  this.timeout(90_000);
  let store: EventStore;
  let children: Child[] = [];

  before(async () => {
    store = await connectStore('procs');
  });
  after(async () => {
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => child.exited));
    await disposeStore(store);
  });

  it('delivers in exactly one process; after kill -9 of the owner another takes over, resuming after the last ack, never overlapping', async function () {
    const env = { CHILD_SCHEMA: store.schema, CHILD_SUBSCRIPTION: 'shared', CHILD_HANDLER_MS: '5' };
    children = [new Child(env), new Child(env), new Child(env)];
    await waitUntil(() => children.every((c) => c.ready), 'the three children subscribed', 60_000);
    await waitUntil(() => children.filter((c) => c.state === 'live').length === 1, 'one child is live', 10_000);
    const owner = children.find((c) => c.state === 'live')!;
    const others = children.filter((c) => c !== owner);
    expect(others.map((c) => c.state)).to.deep.equal(['standby', 'standby']);

    const total = 80;
    let appended = 0;
    const appending = (async () => {
      while (appended < total) {
        await store.appendToStream(`stream-${appended % 7}`, ExpectedVersion.Any, events(1));
        appended++;
        await sleep(15);
      }
    })();
    await waitUntil(() => owner.acked() >= 15, 'the owner acknowledged 15 events', 20_000);
    owner.kill();
    const killedAt = Date.now();
    await owner.exited;
    await appending;

    await waitUntil(() => others.some((c) => c.delivered().includes(total)), 'another child delivered the last event', 20_000);
    const successor = others.find((c) => c.delivered().length > 0)!;
    const idle = others.find((c) => c !== successor)!;
    expect(idle.delivered(), 'the third child received nothing').to.deep.equal([]);

    // Takeover time: from the kill to the successor's first delivery.
    const firstStart = successor.lines.find((l) => l.type === 'start')!.at;
    const liveAt = successor.lines.find((l) => l.type === 'state' && (l.state === 'catching-up' || l.state === 'live'))!.at;
    const takeoverMs = firstStart - killedAt;
    expect(takeoverMs).to.be.below(10_000);
    this.test!.title += ` (took over in ${liveAt - killedAt} ms, first delivery ${takeoverMs} ms after the kill)`;

    // Resumes right after the checkpoint: nothing acknowledged comes again, nothing is skipped.
    const before = owner.delivered();
    const after = successor.delivered();
    expect(before).to.deep.equal(range(1, before.length));
    expect(after).to.deep.equal(range(after[0], total));
    expect(after[0] - 1).to.be.at.least(owner.acked());
    expect(after[0] - 1).to.be.at.most(before[before.length - 1]);

    // No event is in two owners' hands at once.
    const a = owner.intervals(killedAt);
    const b = successor.intervals(Date.now());
    for (const [s1, e1] of a) for (const [s2, e2] of b) expect(e1 < s2 || e2 < s1, `[${s1},${e1}] overlaps [${s2},${e2}]`).to.equal(true);

    expect(await successor.stop()).to.equal(0);
    expect(await idle.stop()).to.equal(0);
  });

  it('lets a standby take over from a frozen owner once its lease runs out; resumed, the old owner delivers nothing more', async function () {
    const env = { CHILD_SCHEMA: store.schema, CHILD_SUBSCRIPTION: 'frozen', CHILD_HANDLER_MS: '5', CHILD_LEASE_MS: '1000' };
    const pair = [new Child(env), new Child(env)];
    children.push(...pair);
    await waitUntil(() => pair.every((c) => c.ready), 'the two children subscribed', 60_000);
    await waitUntil(() => pair.filter((c) => c.state === 'live').length === 1, 'one child is live', 10_000);
    const owner = pair.find((c) => c.state === 'live')!;
    const successor = pair.find((c) => c !== owner)!;
    const first = (await store.readAllBackward(-1, 1))[0]?.position ?? 0;

    const total = 50;
    let appended = 0;
    const appending = (async () => {
      while (appended < total) {
        await store.appendToStream(`frozen-${appended % 3}`, ExpectedVersion.Any, events(1));
        appended++;
        await sleep(20);
      }
    })();
    await waitUntil(() => owner.acked() >= first + 5, 'the owner acknowledged 5 events', 20_000);
    owner.signal('SIGSTOP');
    const frozenAt = Date.now();
    await appending;
    await waitUntil(() => successor.delivered().includes(first + total), 'the successor delivered the last event', 20_000);
    const takeoverMs = successor.lines.find((l) => l.type === 'start')!.at - frozenAt;
    this.test!.title += ` (first delivery ${takeoverMs} ms after the freeze, lease 1000 ms)`;

    // The successor's own last checkpoint must be in before the comparison.
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'frozen')) === first + total, 'the successor stored its checkpoint', 10_000);
    const checkpoint = await checkpointOf(store.schema, '$all', 'frozen');
    owner.signal('SIGCONT');
    await waitUntil(() => owner.state === 'standby', 'the resumed owner stepped down', 10_000);
    await sleep(200);
    expect(owner.lines.filter((l) => l.type === 'start' && l.at > frozenAt), 'deliveries after the freeze').to.deep.equal([]);
    expect(await checkpointOf(store.schema, '$all', 'frozen'), 'the old owner did not move the checkpoint').to.equal(checkpoint);
    const all = [...owner.delivered(), ...successor.delivered()];
    expect([...new Set(all)].sort((x, y) => x - y)).to.deep.equal(range(1, first + total));
    const resumedFrom = successor.delivered()[0];
    expect(resumedFrom - 1).to.be.at.least(owner.acked(frozenAt));
  });
});
