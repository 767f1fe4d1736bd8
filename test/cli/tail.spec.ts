import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EventStore, ExpectedVersion, RecordedEvent, SubscribeOptions, SubscriptionHandler } from '../../src';
import { resolveTailOptions, runTail } from '../../src/cli/commands/tail';
import { FollowedStore, followEvents } from '../../src/subscriptions/event-follower';
import { connectStore, disposeStore, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { waitUntil } from '../support/wait';
import { lines, runBin, runInProcess } from './cli-runner';

const BIN = join(__dirname, '..', '..', 'bin', 'mikro-orm-eventstore.js');
const LONG_NOTE = 'x'.repeat(300);

/** The text line `tail` prints for an event, data as given. */
function textLine(event: RecordedEvent, data = JSON.stringify(event.data)): string {
  return `#${event.position} ${event.createdAt.toISOString()} ${event.streamId}@${event.streamVersion} ${event.eventType} ${data}`;
}

function positionsOf(stdout: string): number[] {
  return lines(stdout).filter((line) => line !== '').map((line) => Number(/^#(\d+) /.exec(line)?.[1]));
}

function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(lines(stderr), stderr).to.have.length(1);
  expect(stderr).to.match(pattern);
}

/** `runTail` in this process with captured output, stopped by `stop()` (as Ctrl-C would). */
function tailInProcess(schema: string, flags: Parameters<typeof resolveTailOptions>[0]) {
  const output = { stdout: '', stderr: '' };
  const io = { stdout: (text: string) => (output.stdout += text), stderr: (text: string) => (output.stderr += text), env: {} };
  const controller = new AbortController();
  const running = runTail({ url: testDatabaseUrl(), schema }, resolveTailOptions(flags), io, controller.signal);
  return {
    output,
    async stop(): Promise<void> {
      controller.abort();
      await running;
    },
  };
}

/** `tail` as a child process through the real bin, its output collected as it comes. */
class TailProcess {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, 'tail', ...args], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exit = once(this.child, 'close').then(([code, signal]) => ({ code, signal }));
  }

  /** Resolves once `pattern` matches the output (stdout or stderr); rejects if the process ends first or after `timeoutMs`. */
  async waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this[stream])) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${pattern} on ${stream} (exit ${this.child.exitCode}); stdout: ${this.stdout}; stderr: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The exit code, or a rejection if the process does not end within `timeoutMs` (it is then killed). */
  async exited(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`tail did not exit within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
    });
    try {
      const { code, signal } = await Promise.race([this.exit, timeout]);
      expect(signal, 'ended by a signal').to.equal(null);
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** For `after`: never leave a child behind. */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

describe('cli: tail', () => {
  let store: EventStore;
  const children: TailProcess[] = [];
  const start = (args: string[]) => {
    const child = new TailProcess(args);
    children.push(child);
    return child;
  };

  before(async () => {
    store = await connectStore('cli_tail');
    await store.appendToStream('order-7', ExpectedVersion.NoStream, [
      { eventType: 'OrderPlaced', data: { amount: 12 } }, // position 1
      { eventType: 'OrderPaid', data: { amount: 12 } }, //   2
    ]);
    await store.appendToStream('order-8', ExpectedVersion.NoStream, [{ eventType: 'OrderPlaced', data: { amount: 5 } }]); // 3
    await store.appendToStream('order-7', 2, [{ eventType: 'OrderShipped', data: { carrier: 'post', note: LONG_NOTE } }]); // 4
  });
  after(async () => {
    for (const child of children) child.stop();
    await disposeStore(store);
  });

  it('with --from 0 --limit prints the stored events in order, one line each, long data shortened', async () => {
    const stored = await store.readAllForward();
    const result = await runBin(['tail', '--schema', store.schema, '--from', '0', '--limit', '4']);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    const shortened = `${JSON.stringify(stored[3].data).slice(0, 119)}…`;
    expect(lines(result.stdout)).to.deep.equal([textLine(stored[0]), textLine(stored[1]), textLine(stored[2]), textLine(stored[3], shortened)]);
    expect(lines(result.stdout)[0]).to.match(/^#1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z order-7@1 OrderPlaced \{"amount":12\}$/);
  });

  it('starts at the --from position itself and prints the whole data with --full', async () => {
    const [fourth] = await store.readAllForward(4, 1);
    const result = await runInProcess(['tail', '--schema', store.schema, '--from', '4', '--limit', '1', '--full']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(`${textLine(fourth)}\n`);
    expect(result.stdout).to.contain(LONG_NOTE);
  });

  it('with --stream follows one stream, --from counting its versions', async () => {
    const result = await runInProcess(['tail', '--schema', store.schema, '--stream', 'order-7', '--from', '2', '--limit', '2']);
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout).map((line) => line.split(' ').slice(2, 4).join(' '))).to.deep.equal(['order-7@2 OrderPaid', 'order-7@3 OrderShipped']);
    expect(positionsOf(result.stdout)).to.deep.equal([2, 4]);
  });

  it('with --type prints only the given types, repeated or comma-separated', async () => {
    const result = await runInProcess(['tail', '--schema', store.schema, '--from', '0', '--type', 'OrderPlaced', '--type', 'OrderShipped, Unknown', '--limit', '3']);
    expect(result.code, result.stderr).to.equal(0);
    expect(positionsOf(result.stdout)).to.deep.equal([1, 3, 4]);
  });

  it('with --json prints each event as one JSON object with every field', async () => {
    const stored = await store.readAllForward(1, 2);
    const result = await runInProcess(['tail', '--schema', store.schema, '--json', '--from', '0', '--limit', '2']);
    expect(result.code, result.stderr).to.equal(0);
    const printed = lines(result.stdout).map((line) => JSON.parse(line));
    expect(printed).to.deep.equal(JSON.parse(JSON.stringify(stored)));
    expect(Object.keys(printed[0])).to.have.members([
      'eventId', 'eventNumber', 'position', 'streamId', 'streamVersion', 'eventType', 'data', 'metadata', 'causationId', 'correlationId', 'createdAt',
    ]);
  });

  it('by default prints only events appended after it started, and exits 0 after --limit events', async () => {
    const tail = start(['--schema', store.schema, '--limit', '2']);
    await tail.waitFor('stderr', /^following \$all after position 4 \(Ctrl-C to stop\)$/m);
    await store.appendToStream('order-9', ExpectedVersion.NoStream, [
      { eventType: 'OrderPlaced', data: { amount: 1 } }, // 5
      { eventType: 'OrderPaid', data: { amount: 1 } }, //   6
    ]);
    expect(await tail.exited()).to.equal(0);
    expect(positionsOf(tail.stdout)).to.deep.equal([5, 6]);
    expect(lines(tail.stdout)[1]).to.match(/ order-9@2 OrderPaid \{"amount":1\}$/);
  });

  it('replays from --from 0, then goes live, and on SIGINT closes the store and exits 0 promptly', async () => {
    const tail = start(['--schema', store.schema, '--from', '0']);
    await tail.waitFor('stderr', /^following \$all after position 6 /m);
    expect(positionsOf(tail.stdout)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    await store.appendToStream('order-8', 1, [{ eventType: 'OrderCancelled', data: { reason: 'late' } }]); // 7
    await tail.waitFor('stdout', /^#7 .* order-8@2 OrderCancelled \{"reason":"late"\}$/m);
    tail.kill('SIGINT');
    // Exiting at all proves the store released its connections and timers.
    expect(await tail.exited()).to.equal(0);
    expect(positionsOf(tail.stdout)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    expect(lines(tail.stderr)).to.deep.equal(['following $all after position 6 (Ctrl-C to stop)']);
  });

  it('hands over from the stored events to live ones without a gap or a repeat while appends go on', async () => {
    const first = (await store.readAllBackward(-1, 1))[0].position + 1;
    // Several pages of history, so that live events arrive while it is read.
    const stored = 2500;
    await store.appendToStream('bulk', ExpectedVersion.NoStream, Array.from({ length: stored }, (_, n) => ({ eventType: 'Bulk', data: { n } })));
    const tail = tailInProcess(store.schema, { from: String(first) });
    const { output } = tail;
    try {
      // Single-event appends from before the tail starts until after it went live.
      let appended = 0;
      let live = -1;
      while (live < 0 || appended < live + 20) {
        await store.appendToStream('race', ExpectedVersion.Any, [{ eventType: 'Tick', data: { n: appended } }]);
        appended += 1;
        if (live < 0 && output.stderr.includes('following')) live = appended;
        if (appended > 2000) throw new Error(`tail never went live; stderr: ${output.stderr}`);
      }
      const last = first + stored + appended - 1;
      await waitUntil(() => output.stdout.includes(`#${last} `), `position ${last}`, 10_000);
      expect(positionsOf(output.stdout)).to.deep.equal(Array.from({ length: stored + appended }, (_, i) => first + i));
      expect(output.stderr).to.match(/^following \$all after position \d+ \(Ctrl-C to stop\)\n$/);
    } finally {
      await tail.stop();
    }
  });

  it('with --stream and no --from prints only new events of that stream', async () => {
    const tail = tailInProcess(store.schema, { stream: 'order-8' });
    const { output } = tail;
    try {
      await waitUntil(() => output.stderr.includes('following'), 'the "following" line', 10_000);
      expect(output.stderr).to.equal('following stream "order-8" after version 2 (Ctrl-C to stop)\n');
      await store.appendToStream('order-7', ExpectedVersion.Any, [{ eventType: 'Elsewhere', data: {} }]);
      await store.appendToStream('order-8', 2, [{ eventType: 'OrderRefunded', data: { amount: 5 } }]);
      await waitUntil(() => output.stdout.includes('OrderRefunded'), 'the appended event', 10_000);
    } finally {
      await tail.stop();
    }
    expect(lines(output.stdout)).to.have.length(1);
    expect(output.stdout).to.match(/^#\d+ \S+ order-8@3 OrderRefunded \{"amount":5\}\n$/);
  });

  it('keeps an event on one line when its stream id or type holds a line break', async () => {
    await store.appendToStream('odd\nid', ExpectedVersion.NoStream, [{ eventType: 'Two\nLines', data: { text: 'a\nb' } }]);
    const result = await runInProcess(['tail', '--schema', store.schema, '--stream', 'odd\nid', '--from', '0', '--limit', '1']);
    expect(result.code, result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.have.length(1);
    expect(result.stdout).to.match(/ odd\\nid@1 Two\\nLines \{"text":"a\\nb"\}\n$/);
  });

  describe('refusals', () => {
    it('a bad --from gives a one-line error and exit code 2', async () => {
      const result = await runBin(['tail', '--schema', store.schema, '--from', 'abc']);
      expect(result.code).to.equal(2);
      expect(result.stdout).to.equal('');
      expectOneLineError(result.stderr, /^error: invalid --from: expected an integer >= 0, got "abc"\n$/);
    });

    for (const [args, message] of [
      [['--from', '-1'], /^error: invalid --from: expected an integer >= 0, got "-1"\n$/],
      [['--from', '1.5'], /^error: invalid --from: expected an integer >= 0, got "1.5"\n$/],
      [['--limit', '0'], /^error: invalid --limit: expected an integer >= 1, got "0"\n$/],
      [['--limit', 'ten'], /^error: invalid --limit: expected an integer >= 1, got "ten"\n$/],
      [['--type', 'A,,B'], /^error: invalid --type: expected event type names, got "A,,B"\n$/],
      [['--stream', '$orders'], /^error: invalid --stream: "\$orders": ids starting with "\$" are reserved\n$/],
      [['--schema', 'Not A Schema'], /^error: invalid --schema: "Not A Schema" is not a valid schema name/],
    ] as Array<[string[], RegExp]>) {
      it(`refuses ${args.join(' ')} with one line and exit code 2`, async () => {
        const result = await runInProcess(['tail', '--schema', store.schema, ...args]);
        expect(result.code).to.equal(2);
        expect(result.stdout).to.equal('');
        expectOneLineError(result.stderr, message);
      });
    }

    it('says plainly that a schema holds no store, exits 1 and creates nothing', async () => {
      const empty = uniqueSchema('cli_tail_none');
      const result = await runInProcess(['tail', '--schema', empty, '--from', '0']);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.equal(`error: no event store in schema "${empty}" (create one with: mikro-orm-eventstore init --schema ${empty})\n`);
      const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [empty]));
      expect(rows).to.have.length(0);
    });

    it('refuses a store with pending migrations (exit 1) and leaves it as it is', async () => {
      const old = await connectStore('cli_tail_old');
      try {
        const forget = `delete from "${old.schema}".mikro_orm_migrations where id = (select max(id) from "${old.schema}".mikro_orm_migrations)`;
        await withClient((c) => c.query(forget));
        const count = () => withClient(async (c) => (await c.query(`select count(*)::int as n from "${old.schema}".mikro_orm_migrations`)).rows[0].n);
        const before = await count();
        const result = await runInProcess(['tail', '--schema', old.schema]);
        expect(result.code).to.equal(1);
        expectOneLineError(result.stderr, new RegExp(`^error: the event store in schema "${old.schema}" has 1 pending migration: apply them first with: mikro-orm-eventstore migrate --schema ${old.schema}\\n$`));
        expect(await count()).to.equal(before);
      } finally {
        await disposeStore(old);
      }
    });
  });
});

/**
 * The hand-over at its two worst moments, made to happen every time: the
 * store is the real one, with an append (and its live delivery) slipped in
 * around a history read.
 */
describe('cli: tail hand-over from history to live', () => {
  let store: EventStore;

  beforeEach(async () => {
    store = await connectStore('cli_tail_handover');
    await store.appendToStream('history', ExpectedVersion.NoStream, [
      { eventType: 'Stored', data: { n: 1 } },
      { eventType: 'Stored', data: { n: 2 } },
      { eventType: 'Stored', data: { n: 3 } },
    ]);
  });
  afterEach(() => disposeStore(store));

  /**
   * Follows `$all` from the origin until live, `around(read)` wrapping each
   * history read; returns the positions shown. `appendAndAwaitDelivery`
   * appends one event and resolves once the live subscription received it.
   */
  async function follow(around: (read: () => Promise<RecordedEvent[]>, appendAndAwaitDelivery: () => Promise<void>) => Promise<RecordedEvent[]>): Promise<number[]> {
    const delivered: number[] = [];
    const appendAndAwaitDelivery = async () => {
      await store.appendToStream('live', ExpectedVersion.Any, [{ eventType: 'Live', data: {} }]);
      const [last] = await store.readAllBackward(-1, 1);
      for (let waited = 0; !delivered.includes(last.position); waited += 10) {
        if (waited > 10_000) throw new Error(`position ${last.position} was never delivered live`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const followed: FollowedStore = {
      subscribe: ((streamId: string, handler: SubscriptionHandler, options?: SubscribeOptions) =>
        store.subscribe(streamId, (events: RecordedEvent[], sub) => {
          delivered.push(...events.map((event) => event.position));
          return handler(events, sub);
        }, options)) as FollowedStore['subscribe'],
      readAllForward: ((start?: number, count?: number) => around(() => store.readAllForward(start, count), appendAndAwaitDelivery)) as FollowedStore['readAllForward'],
      readStreamForward: (...args) => store.readStreamForward(...args),
      streamInfo: (streamId) => store.streamInfo(streamId),
    };
    const shown: number[] = [];
    const stop = new AbortController();
    await followEvents(followed, { streamId: '$all', from: 0, signal: stop.signal, onLive: () => stop.abort() }, (event) => shown.push(event.position));
    return shown;
  }

  it('shows an event once when it arrives live and is also in the history', async () => {
    let appended = false;
    const shown = await follow(async (read, appendAndAwaitDelivery) => {
      if (!appended) {
        appended = true;
        await appendAndAwaitDelivery(); // now both in the live buffer and in the page read next
      }
      return read();
    });
    expect(shown).to.deep.equal([1, 2, 3, 4]);
  });

  it('shows an event committed after the last history read began, from the live side', async () => {
    let appended = false;
    const shown = await follow(async (read, appendAndAwaitDelivery) => {
      const page = await read();
      if (!appended) {
        appended = true;
        await appendAndAwaitDelivery(); // after the read: only the live side has it
      }
      return page;
    });
    expect(shown).to.deep.equal([1, 2, 3, 4]);
  });
});
