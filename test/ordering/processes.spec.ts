/**
 * The sequencer across processes: store processes appending to one schema
 * get unique, gap-free, per-stream-ordered positions; a process killed with
 * SIGKILL in the middle of a sweep (holding the sequencer lock, positions
 * written but not committed) loses nothing, and the others carry on.
 */
import { expect } from 'chai';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { EventStore, ExpectedVersion, RecordedEvent } from '../../src';
import { connectStore, disposeStore, events, testDatabaseUrl } from '../support/stores';

interface Child {
  process: ChildProcess;
  ids: string[];
  lines: string[];
  waitFor(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<unknown>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['-r', 'reflect-metadata', '-r', '@swc/register', 'test/ordering/support/append-child.ts', ...args], {
    env: { ...process.env, TEST_DATABASE_URL: testDatabaseUrl() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ids: string[] = [];
  const lines: string[] = [];
  const waiters: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line.startsWith('id ')) ids.push(line.slice(3));
    for (const w of [...waiters]) if (line.startsWith(w.prefix)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
  });
  const exited = once(child, 'exit');
  return {
    process: child,
    ids,
    lines,
    exited,
    waitFor(prefix, timeoutMs = 30_000) {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print ${prefix}`)), timeoutMs);
        waiters.push({ prefix, resolve: (line) => { clearTimeout(timer); resolve(line); } });
      });
    },
  };
}

async function readAll(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const event of store.streamAllForward(0, { batchSize: 500 })) all.push(event);
  return all;
}

function expectWellOrdered(all: RecordedEvent[], expectedIds: string[]): void {
  const ids = all.map((e) => e.eventId);
  expect(new Set(ids).size, 'each event once').to.equal(ids.length);
  expect([...ids].sort()).to.deep.equal([...expectedIds].sort());
  expect(all.map((e) => e.position)).to.deep.equal(all.map((_, i) => i + 1));
  const last = new Map<string, number>();
  for (const e of all) {
    expect(e.streamVersion, `${e.streamId} in order`).to.equal((last.get(e.streamId) ?? 0) + 1);
    last.set(e.streamId, e.streamVersion);
  }
}

describe('$all ordering across processes', function () {
  this.timeout(90_000);
  let store: EventStore;
  const children: Child[] = [];

  beforeEach(async () => {
    store = await connectStore('order_proc');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await disposeStore(store);
  });

  it('two store processes appending at once get unique, gap-free, ordered positions', async () => {
    const a = startChild(['append', store.schema, 'a', '150']);
    const b = startChild(['append', store.schema, 'b', '150']);
    children.push(a, b);
    await Promise.all([a.waitFor('done', 60_000), b.waitFor('done', 60_000)]);
    expectWellOrdered(await readAll(store), [...a.ids, ...b.ids]);
  });

  it('a process killed (SIGKILL) in the middle of a sweep loses nothing, and the others continue', async () => {
    const stalled = startChild(['stall-sweep', store.schema, 'stalled']);
    children.push(stalled);
    await stalled.waitFor('holding');

    // These appends cannot be sequenced while the dead-to-be process holds the lock.
    const own: string[] = [];
    const appending = (async () => {
      for (let i = 0; i < 5; i++) {
        const batch = events(2, 'Parent').map((e) => ({ ...e, eventId: crypto.randomUUID() }));
        await store.appendToStream(`parent-${i}`, ExpectedVersion.NoStream, batch);
        own.push(...batch.map((e) => e.eventId));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    expect(own, 'appends wait for the sequencer lock').to.have.length(0);

    stalled.process.kill('SIGKILL');
    await stalled.exited;
    await appending;
    expect(own).to.have.length(10);

    const all = await readAll(store);
    expectWellOrdered(all, [...stalled.ids, ...own]);
    expect(stalled.ids).to.have.length(10);
  });
});
