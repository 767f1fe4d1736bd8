/**
 * The event browser's JSON API and command, without a browser: bad
 * parameters are answered with 400 and a message, the page is read-only
 * unless `--allow-admin` (and then every action needs a fresh confirmation
 * token), large events are shortened in lists, the events a projection
 * parked are listed with their error and attempts and can be replayed by an
 * admin, and no answer or output carries the password.
 */
import { request } from 'node:http';
import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { resolveUiOptions, runUi } from '../../src/cli/commands/ui';
import { redactSecrets } from '../../src/ui/redact';
import { startUiServer, UiServer } from '../../src/ui/server';
import { runInProcess } from '../cli/cli-runner';
import { caught, connectStore, disposeStore, dropSchema, tableCounts, testDatabaseUrl, uniqueSchema, withClient } from '../support/stores';
import { waitUntil } from '../support/wait';
import { caughtUp, OrderAudit, OrderCheck, OrderCount, seedStore } from './seed';

/** The test URL with a password in it: the embedded server's own, or one the trusting local server ignores. */
function urlWithPassword(): { url: string; password: string } {
  const url = new URL(testDatabaseUrl());
  if (!url.password) url.password = 'uiSpecSecret42';
  return { url: url.toString(), password: decodeURIComponent(url.password) };
}

async function call(server: UiServer, path: string, init?: RequestInit): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

function postJson(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

describe('event browser API', function () {
  this.timeout(20_000);
  let store: EventStore;
  let server: UiServer;
  let secret: { url: string; password: string };

  before(async () => {
    secret = urlWithPassword();
    store = await connectStore('ui_api');
    await seedStore(store);
    server = await startUiServer({ store, url: secret.url, port: 0 });
  });

  after(async () => {
    await server?.close();
    await disposeStore(store);
  });

  it('listens on 127.0.0.1 by default, and answers only requests addressed to it there', async () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const statusFor = (host: string) => new Promise<number>((resolve, reject) => {
      request(`${server.url}/api/overview`, { headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(await statusFor(`localhost:${server.port}`)).to.equal(200);
    expect(await statusFor(`127.0.0.1:${server.port}`)).to.equal(200);
    expect(await statusFor(`attacker.example:${server.port}`)).to.equal(403);
  });

  const badRequests: Array<[string, RegExp]> = [
    ['/api/streams?page=0', /^invalid page: expected an integer from 1 to 1000000, got "0"$/],
    ['/api/streams?pageSize=1000', /^invalid pageSize: expected an integer from 1 to 200/],
    [`/api/streams?search=${'x'.repeat(201)}`, /^invalid search: at most 200 characters, got 201$/],
    ['/api/streams?search=a%01b', /^invalid search: must not contain control characters$/],
    ['/api/streams/%24all/events', /^invalid stream id: "\$all" is reserved/],
    ['/api/streams/order-1/events?direction=sideways', /^invalid direction: expected one of forward, backward, got "sideways"$/],
    ['/api/streams/order-1/events?count=0', /^invalid count: expected an integer from 1 to 200/],
    ['/api/streams/order-1/events?from=abc', /^invalid from: expected an integer/],
    ['/api/all?count=999', /^invalid count: expected an integer from 1 to 200/],
    ['/api/all?before=-2', /^invalid before: expected an integer from -1/],
    ['/api/all?type=A,,B', /^invalid type: expected comma-separated event type names, got "A,,B"$/],
    ['/api/all/live?after=soon', /^invalid after: expected an integer from 0/],
    ['/api/events/not-an-event', /^invalid event reference \(a position or an event id\): expected a uuid, got "not-an-event"$/],
    ['/api/correlations/12', /^invalid correlation id: expected a uuid, got "12"$/],
    ['/api/parked?limit=0', /^invalid limit: expected an integer from 1 to 200/],
  ];
  for (const [path, message] of badRequests) {
    it(`answers ${path.slice(0, 60)} with 400 and a message`, async () => {
      const { status, body } = await call(server, path);
      expect(status).to.equal(400);
      expect(body.error).to.match(message);
    });
  }

  it('answers what is not there with 404, and a deleted stream with 410', async () => {
    expect((await call(server, '/api/events/999999')).status).to.equal(404);
    expect((await call(server, '/api/events/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    const missing = await call(server, '/api/streams/no-such-stream/events');
    expect(missing.status).to.equal(404);
    expect(missing.body.error).to.include('no-such-stream');
    expect((await call(server, '/api/no-such-route')).status).to.equal(404);
    expect((await call(server, '/../package.json')).status).to.equal(404);
    expect((await call(server, '/style.css/../../package.json')).status).to.equal(404);
    const deleted = await call(server, '/api/streams/cart-3/events');
    expect(deleted.status).to.equal(410);
    expect(deleted.body.error).to.match(/cart-3.*deleted/);
  });

  it('shortens large data in lists and gives the whole event by position or id', async () => {
    const { body } = await call(server, '/api/streams/customer-7/events');
    const big = body.events.find((event: any) => event.eventType === 'DeliveryNoted');
    expect(big.truncated).to.equal(true);
    expect(big.data).to.be.a('string').with.length.at.most(401);
    expect(big.dataSize).to.be.above(2000);
    const whole = await call(server, `/api/events/${big.position}`);
    expect(whole.body.truncated).to.equal(false);
    expect(whole.body.data.note.length).to.be.above(2000);
    expect((await call(server, `/api/events/${big.eventId}`)).body.position).to.equal(big.position);
  });

  it('filters $all by event type and stream prefix, newest first, with a cursor to older events', async () => {
    const first = await call(server, '/api/all?type=ItemAdded&prefix=order-1&count=2');
    expect(first.body.events.map((e: any) => e.streamId)).to.deep.equal(['order-12', 'order-11']);
    const second = await call(server, `/api/all?type=ItemAdded&prefix=order-1&count=5&before=${first.body.older}`);
    expect(second.body.events.map((e: any) => e.streamId)).to.deep.equal(['order-10', 'order-1']);
    expect(second.body.older).to.equal(null);
  });

  it('is read-only without --allow-admin: admin requests are refused and write nothing', async () => {
    const counts = await tableCounts(store.schema);
    const confirmation = await call(server, '/api/admin/confirmations', postJson({ action: 'rebuild', projection: 'ui-order-count' }));
    expect(confirmation.status).to.equal(403);
    expect(confirmation.body.error).to.include('--allow-admin');
    const rebuild = await call(server, '/api/admin/projections/ui-order-count/rebuild', postJson({ token: 'x' }));
    expect(rebuild.status).to.equal(403);
    expect((await call(server, '/api/overview')).body.admin).to.deep.equal({ enabled: false, rebuild: [], replayParked: false });
    expect(await tableCounts(store.schema)).to.deep.equal(counts);
  });

  it('never shows the database password: not in the page, its files, API answers or errors', async () => {
    const texts: string[] = [];
    const index = await call(server, '/');
    texts.push(index.text);
    for (const [, file] of index.text.matchAll(/(?:src|href)="\/([a-z.-]+)"/g)) texts.push((await call(server, `/${file}`)).text);
    for (const path of ['/api/overview', '/api/subscriptions', '/api/streams', '/api/all', '/api/events/424242', '/api/streams?page=x']) {
      texts.push((await call(server, path)).text);
    }
    expect(texts.join('\n')).to.include('"database":"');
    for (const text of texts) {
      expect(text).not.to.include('postgres://');
      expect(text).not.to.include(`:${secret.password}@`);
      if (secret.password === 'uiSpecSecret42') expect(text).not.to.include(secret.password);
    }
    expect(redactSecrets('connect failed: postgres://ada:s3cret@db:5432/x')).to.equal('connect failed: postgres://…@db:5432/x');
  });

  it('lists the events a projection parked, with their error and attempts', async () => {
    expect((await call(server, '/api/parked')).body).to.deep.equal({ available: true, events: [] });
    expect((await call(server, '/api/overview')).body.parkedEvents).to.equal(true);
    await parkRefusedOrder();
    const [order3] = await store.readStreamForward('order-3', 1, 1);
    const parked = await call(server, '/api/parked');
    expect(parked.body.available).to.equal(true);
    expect(parked.body.events).to.have.length(1);
    expect(parked.body.events[0]).to.deep.include({
      projection: 'ui-order-audit', position: order3.position, eventType: 'UiSpecOrderPlaced', streamId: 'order-3', streamVersion: 1,
      eventId: order3.eventId, error: 'refused order total 30', errorCode: 'E_UI_REFUSED', attempts: 2,
    });
    expect(Date.parse(parked.body.events[0].parkedAt)).to.be.closeTo(Date.now(), 60_000);
    expect(parked.body.events[0]).not.to.have.property('errorStack');
  });

  it('says parked events are unavailable in a schema not yet migrated to have them', async () => {
    await withClient((c) => c.query(`alter table "${store.schema}".parked_events rename to parked_events_hidden`));
    try {
      expect((await call(server, '/api/parked')).body).to.deep.equal({ available: false, events: [] });
      expect((await call(server, '/api/overview')).body.parkedEvents).to.equal(false);
    } finally {
      await withClient((c) => c.query(`alter table "${store.schema}".parked_events_hidden rename to parked_events`));
    }
    expect((await call(server, '/api/parked')).body.available).to.equal(true);
  });

  it('shows a projection that stopped in the failed state with its failure', async () => {
    const runner = store.projections([OrderCheck], { retryDelayMs: 5 });
    try {
      await runner.start();
      await waitUntil(async () => (await runner.status('ui-order-check')).state === 'failed', 'the projection failed', 15_000, 50);
    } finally {
      await runner.stop();
    }
    const { body } = await call(server, '/api/subscriptions');
    const row = body.subscriptions.find((r: any) => r.kind === 'projection' && r.name === 'ui-order-check');
    expect(row).to.include({ state: 'failed', error: 'cannot check order total 40', owner: null });
  });

  /** Runs the auditing projection until it parked order-3's first event (once per store). */
  async function parkRefusedOrder(): Promise<void> {
    const runner = store.projections([OrderAudit], { retryDelayMs: 5 });
    try {
      await runner.start();
      await caughtUp(runner, ['ui-order-audit']);
      expect((await runner.parked('ui-order-audit')).map((event) => event.streamId)).to.deep.equal(['order-3']);
    } finally {
      await runner.stop();
    }
  }

  describe('with --allow-admin', () => {
    it('refuses admin actions without loaded projections', async () => {
      const admin = await startUiServer({ store, url: secret.url, port: 0, allowAdmin: true });
      try {
        const { status, body } = await call(admin, '/api/admin/confirmations', postJson({ action: 'rebuild', projection: 'ui-order-count' }));
        expect(status).to.equal(403);
        expect(body.error).to.include('--module');
      } finally {
        await admin.close();
      }
    });

    it('rebuilds a projection only with a fresh confirmation token for that projection', async () => {
      const runner = store.projections([OrderCount]);
      const admin = await startUiServer({ store, url: secret.url, port: 0, allowAdmin: true, runner });
      try {
        expect((await call(admin, '/api/overview')).body.admin).to.deep.equal({ enabled: true, rebuild: ['ui-order-count'], replayParked: true });
        const bad = async (path: string, init: RequestInit, status: number, message: RegExp) => {
          const answer = await call(admin, path, init);
          expect(answer.status, path).to.equal(status);
          expect(answer.body.error).to.match(message);
        };
        await bad('/api/admin/confirmations', postJson({ action: 'drop', projection: 'ui-order-count' }), 400, /^invalid action: expected one of rebuild, replay-parked, got "drop"$/);
        await bad('/api/admin/confirmations', postJson({ action: 'rebuild' }), 400, /^missing projection/);
        await bad('/api/admin/confirmations', postJson({ action: 'rebuild', projection: 'nope' }), 404, /no projection "nope"/);
        await bad('/api/admin/confirmations', postJson({ action: 'replay-parked', projection: 'nope' }), 404, /no projection "nope"/);
        await bad('/api/admin/confirmations', { method: 'POST', body: 'action=rebuild' }, 400, /expected a JSON body/);
        await bad('/api/admin/confirmations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }, 400, /invalid JSON body/);
        await bad('/api/admin/projections/ui-order-count/rebuild', postJson({}), 400, /missing confirmation token/);
        await bad('/api/admin/projections/ui-order-count/rebuild', postJson({ token: 'made-up' }), 400, /invalid confirmation token/);

        const { body: confirmation } = await call(admin, '/api/admin/confirmations', postJson({ action: 'rebuild', projection: 'ui-order-count' }));
        expect(confirmation.prompt).to.equal('Rebuild projection "ui-order-count"? Its read model is cleared and $all is replayed into it.');
        const lastPosition = (await store.readAllBackward(-1, 1))[0].position;
        const rebuilt = await call(admin, '/api/admin/projections/ui-order-count/rebuild', postJson({ token: confirmation.token }));
        expect(rebuilt.status).to.equal(200);
        expect(rebuilt.body.position).to.equal(lastPosition);
        await bad('/api/admin/projections/ui-order-count/rebuild', postJson({ token: confirmation.token }), 400, /invalid confirmation token: unknown, used/);
      } finally {
        await admin.close();
      }
    });

    it('replays the parked events of a projection only with a fresh confirmation token for that action', async () => {
      if ((await call(server, '/api/parked')).body.events.length === 0) await parkRefusedOrder();
      const runner = store.projections([OrderCount, OrderAudit]);
      const admin = await startUiServer({ store, url: secret.url, port: 0, allowAdmin: true, runner });
      try {
        expect((await call(admin, '/api/overview')).body.admin).to.deep.equal({ enabled: true, rebuild: ['ui-order-count', 'ui-order-audit'], replayParked: true });
        const path = '/api/admin/projections/ui-order-audit/replay-parked';
        const missing = await call(admin, path, postJson({}));
        expect([missing.status, missing.body.error]).to.deep.equal([400, 'missing confirmation token: ask for one with POST /api/admin/confirmations']);
        const { body: forRebuild } = await call(admin, '/api/admin/confirmations', postJson({ action: 'rebuild', projection: 'ui-order-audit' }));
        const wrongAction = await call(admin, path, postJson({ token: forRebuild.token }));
        expect(wrongAction.status).to.equal(400);
        expect(wrongAction.body.error).to.match(/invalid confirmation token/);
        expect((await call(server, '/api/parked')).body.events).to.have.length(1);

        // Still refused: the replay fails again and keeps the event, with one attempt more.
        const { body: first } = await call(admin, '/api/admin/confirmations', postJson({ action: 'replay-parked', projection: 'ui-order-audit' }));
        expect(first.prompt).to.equal('Replay the parked events of projection "ui-order-audit"?');
        const again = await call(admin, path, postJson({ token: first.token }));
        expect([again.status, again.body]).to.deep.equal([200, { projection: 'ui-order-audit', replayed: 0, failed: 1 }]);
        expect((await call(server, '/api/parked')).body.events[0]).to.include({ streamId: 'order-3', attempts: 3 });

        OrderAudit.refused.clear();
        const { body: second } = await call(admin, '/api/admin/confirmations', postJson({ action: 'replay-parked', projection: 'ui-order-audit' }));
        const replayed = await call(admin, path, postJson({ token: second.token }));
        expect([replayed.status, replayed.body]).to.deep.equal([200, { projection: 'ui-order-audit', replayed: 1, failed: 0 }]);
        expect((await call(server, '/api/parked')).body.events).to.deep.equal([]);
        const reused = await call(admin, path, postJson({ token: second.token }));
        expect(reused.body.error).to.match(/invalid confirmation token: unknown, used/);
      } finally {
        OrderAudit.refused = new Set([30]);
        await admin.close();
      }
    });
  });
});

describe('ui command', function () {
  this.timeout(20_000);

  it('is listed in the help, with its options', async () => {
    expect((await runInProcess(['--help'])).stdout).to.match(/^  ui \[options\] +serve a local, read-only web page/m);
    const help = (await runInProcess(['ui', '--help'])).stdout;
    for (const option of ['--url', '--schema', '--port', '--host', '--allow-admin', '--module']) expect(help).to.include(option);
    expect(help).to.include('(default: "127.0.0.1")');
  });

  it('refuses bad options before connecting', async () => {
    expect(() => resolveUiOptions({ port: '70000', host: '127.0.0.1' })).to.throw(/^invalid --port: expected 0 to 65535, got "70000"$/);
    expect(() => resolveUiOptions({ port: 'http', host: '127.0.0.1' })).to.throw(/^invalid --port/);
    expect(() => resolveUiOptions({ port: '0', host: ' ' })).to.throw(/^invalid --host/);
    expect(() => resolveUiOptions({ port: '0', host: '127.0.0.1', module: 'x.ts' })).to.throw(/^--module is only used with --allow-admin$/);
    const result = await runInProcess(['ui', '--port', 'x']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('error: invalid --port: expected 0 to 65535, got "x"\n');
  });

  it('refuses a schema without a store, and creates nothing', async () => {
    const schema = uniqueSchema('ui_empty');
    const result = await runInProcess(['ui', '--schema', schema, '--port', '0']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/no event store/i);
    const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [schema]));
    expect(rows).to.have.length(0);
  });

  it('serves the page until stopped, printing its address and never the password', async () => {
    const store = await connectStore('ui_cmd');
    const secret = urlWithPassword();
    let stdout = '';
    let stderr = '';
    const controller = new AbortController();
    try {
      let started!: (url: string) => void;
      const address = new Promise<string>((resolve) => (started = resolve));
      const running = runUi({ url: secret.url, schema: store.schema }, { host: '127.0.0.1', port: 0, allowAdmin: false },
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} }, controller.signal, (url) => started(url));
      const url = await Promise.race([address, running.then(() => { throw new Error(`stopped early: ${stderr}`); })]);
      const overview = (await (await fetch(`${url}/api/overview`)).json()) as { schema: string };
      expect(overview.schema).to.equal(store.schema);
      controller.abort();
      await running;
      expect(stdout).to.match(/^event browser at http:\/\/127\.0\.0\.1:\d+\/ \(read-only; Ctrl-C to stop\)\n$/);
      expect(stdout + stderr).not.to.include(`:${secret.password}@`);
      await store.appendToStream('after-stop', ExpectedVersion.NoStream, [{ eventType: 'Noted', data: {} }]);
      expect(await caught(fetch(`${url}/api/overview`))).to.be.instanceOf(Error);
    } finally {
      controller.abort();
      await disposeStore(store);
    }
  });
});
