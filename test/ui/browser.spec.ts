/**
 * The event browser in headless Chromium against a seeded store: each view
 * shows what it should, `$all` and the lag follow new events live, a large
 * event loads on demand, the events a projection parked are listed, and an
 * admin rebuild or replay of parked events asks for a confirmation. The
 * screenshots the docs use are saved to docs/images/.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { EventStore, ExpectedVersion } from '../../src';
import type { ProjectionRunner } from '../../src';
import { startUiServer, UiServer } from '../../src/ui/server';
import { connectStore, disposeStore, testDatabaseUrl } from '../support/stores';
import { findChromium, launchChromium } from './browser';
import { BIG_NOTE, caughtUp, ORDERS, OrderAudit, OrderCount, Seeded, seedStore } from './seed';

const IMAGES = join(__dirname, '..', '..', 'docs', 'images');
/** Streams in the seed: the orders, customer-7 and the deleted cart-3. */
const STREAMS = ORDERS + 2;

describe('event browser (headless Chromium)', function () {
  this.timeout(30_000);
  let store: EventStore;
  let runner: ProjectionRunner;
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seeded: Seeded;

  before(async function () {
    const executable = findChromium();
    if (!executable) {
      console.log('    (skipped: no Chromium found; install Debian\'s chromium package or set CHROMIUM_PATH)');
      this.skip();
    }
    store = await connectStore('ui_browser');
    seeded = await seedStore(store);
    OrderAudit.refused = new Set([30]); // order-3's placement gets parked
    runner = store.projections([OrderCount, OrderAudit], { retryDelayMs: 5 });
    await runner.start();
    await caughtUp(runner, ['ui-order-count', 'ui-order-audit']);
    server = await startUiServer({ store, url: testDatabaseUrl(), port: 0, lagSampleMs: 250 });
    browser = await launchChromium(executable!);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await runner?.stop();
    await disposeStore(store);
  });

  /**
   * Shows a view and waits until it is on screen: within the page a hash
   * change, after which the page's count of views shown goes up; otherwise
   * a page load (a reload for the view already shown).
   */
  async function open(hash: string, base = server.url): Promise<void> {
    const target = `${base}/${hash}`;
    if (page.url().startsWith(`${base}/`) && page.url() !== target) {
      const shown = Number(await page.getAttribute('body', 'data-routed'));
      await page.evaluate((next) => { (globalThis as any).location.hash = next; }, hash);
      await page.waitForFunction((before) => Number((globalThis as any).document.body.dataset.routed) > before, shown);
      return;
    }
    if (page.url() === target) await page.reload();
    else await page.goto(target);
    await page.waitForSelector('body[data-routed]');
  }

  async function shot(name: string): Promise<void> {
    await page.mouse.move(0, 0); // no hover highlight in the pictures
    await page.screenshot({ path: join(IMAGES, `ui-${name}.png`) });
  }

  it('lists the streams newest first, with their version and state, and searches them', async () => {
    await open('#/streams');
    await page.getByText(`${STREAMS} streams`, { exact: true }).waitFor();
    const rows = page.locator('table.list tbody tr');
    expect(await rows.count()).to.equal(STREAMS);
    expect(await rows.first().innerText()).to.match(/^cart-3\s+1\s+.*deleted/s);
    expect(await rows.nth(1).innerText()).to.match(/^customer-7\s+2\s+.*live/s);
    expect(await page.locator('#store-summary').innerText()).to.include(`${STREAMS - 1} streams`).and.include('read-only');
    await shot('streams');

    await page.fill('input[name=search]', 'order-1');
    await page.click('button[type=submit]');
    await page.getByText('4 streams matching “order-1”').waitFor();
    expect(await rows.allInnerTexts()).to.have.length(4);
  });

  it("shows a stream's events with data and metadata, and follows causation and correlation links", async () => {
    await open('#/stream/order-2');
    await page.getByText('Versions 1–3 of 3').waitFor();
    const events = page.locator('tr.event');
    expect(await events.count()).to.equal(3);
    expect(await events.locator('.type').allInnerTexts()).to.deep.equal(['UiSpecOrderPlaced', 'ItemAdded', 'OrderShipped']);
    await events.first().click();
    const detail = page.locator('tr.detail:not([hidden])');
    expect(await detail.locator('pre.json').first().innerText()).to.include('"orderId": "order-2"');
    expect(await detail.locator('pre.json').nth(1).innerText()).to.include('"user": "ada"');
    await shot('stream');

    await open('#/stream/order-1');
    await page.locator('tr.event').nth(1).click();
    await page.locator('tr.detail:not([hidden]) a', { hasText: seeded.firstEventId }).click();
    await page.locator('h1', { hasText: 'UiSpecOrderPlaced' }).waitFor();
    expect(await page.locator('h1').innerText()).to.include('#1');
    await page.locator('a', { hasText: seeded.correlationId }).click();
    await page.getByText('2 events, in $all order').waitFor();
    expect(await page.locator('tr.event .type').allInnerTexts()).to.deep.equal(['UiSpecOrderPlaced', 'ItemAdded']);
  });

  it('shortens a large event in lists and loads it whole on demand', async () => {
    await open('#/stream/customer-7');
    const big = page.locator('tr.event').nth(1);
    await big.getByText(/KB, click to load/).waitFor();
    expect((await big.locator('td.preview code').innerText()).length).to.be.below(200);
    await big.click();
    const data = page.locator('tr.detail:not([hidden]) pre.json').first();
    await data.getByText(/"note"/).waitFor();
    expect(await data.innerText()).to.include(BIG_NOTE.trim());
  });

  it('follows $all live, newest first, with the event-type and stream-prefix filters', async () => {
    await open('#/all');
    await page.locator('.live-status.on').waitFor();
    const rows = page.locator('tr.event');
    const before = await rows.count();
    const stored = (await store.readAllBackward(-1, 1))[0].position;
    expect(before).to.equal(Math.min(50, stored));
    await store.appendToStream('order-99', ExpectedVersion.NoStream, [{ eventType: 'UiSpecOrderPlaced', data: { orderId: 'order-99', total: 990 } }]);
    await page.getByText('1 new event since the page opened').waitFor();
    expect(await rows.first().innerText()).to.match(/order-99@1\s+UiSpecOrderPlaced/);
    expect(await rows.count()).to.equal(before + 1);
    await page.locator('#store-summary').getByText(`${stored + 1} events`).waitFor();
    await shot('all');

    await open('#/all?type=ItemAdded&prefix=order-1');
    await page.locator('.live-status.on').waitFor();
    // order-1, order-10, order-11, order-12
    expect(await rows.locator('.type').allInnerTexts()).to.deep.equal(['ItemAdded', 'ItemAdded', 'ItemAdded', 'ItemAdded']);
    await store.appendToStream('order-5', ExpectedVersion.Any, [{ eventType: 'ItemAdded', data: { sku: 'not shown: other prefix' } }]);
    await store.appendToStream('order-1', ExpectedVersion.Any, [{ eventType: 'OrderShipped', data: { carrier: 'not shown: other type' } }]);
    await store.appendToStream('order-1', ExpectedVersion.Any, [{ eventType: 'ItemAdded', data: { sku: 'SKU-LIVE' } }]);
    await page.getByText('1 new event since the page opened').waitFor();
    expect(await rows.count()).to.equal(5);
    expect(await rows.first().innerText()).to.include('SKU-LIVE');
    expect(await page.locator('body').innerText()).not.to.include('not shown');
  });

  it('shows projections and subscriptions with state, owner, checkpoint and lag, updating live', async () => {
    await open('#/subscriptions');
    const projection = page.locator('table.projections tr[data-name="ui-order-count"]');
    await projection.getByText('running').waitFor();
    await projection.getByText('caught up').waitFor();
    expect(await projection.locator('code').innerText()).to.match(/:\d+:/);
    const subscription = page.locator('table.subscriptions tr[data-name="email-sender"]');
    expect(await subscription.innerText()).to.match(/email-sender\s+\$all\s+stopped\s+none\s+#10/);
    const lagOf = async () => Number((await subscription.locator('td.lag').innerText()).replace(/,/g, ''));
    const lastPosition = (await store.readAllBackward(-1, 1))[0].position;
    expect(await lagOf()).to.equal(lastPosition - 10);
    expect(await subscription.locator('svg.chart polyline').count()).to.equal(1);

    await store.appendToStream('order-100', ExpectedVersion.NoStream, [{ eventType: 'Noted', data: {} }, { eventType: 'Noted', data: {} }]);
    await page.waitForFunction((expected) => (globalThis as any).document.querySelector('tr[data-name="email-sender"] td.lag')?.textContent === String(expected), lastPosition - 10 + 2);
    await page.waitForTimeout(600); // a few more samples for the chart
    await shot('subscriptions');
    expect(await page.locator('h2', { hasText: 'Parked events' }).count()).to.equal(1);
  });

  it('lists the events a projection parked, with their error and attempts', async () => {
    const [order3] = await store.readStreamForward('order-3', 1, 1);
    await open('#/subscriptions');
    const rows = page.locator('table.parked tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).to.equal(1);
    const row = rows.first();
    expect(await row.getAttribute('data-projection')).to.equal('ui-order-audit');
    expect(await row.innerText()).to.match(new RegExp(`^ui-order-audit\\s+#${order3.position}\\s+UiSpecOrderPlaced\\s+order-3@1\\s+refused order total 30\\s+E_UI_REFUSED\\s+2\\s+\\d{4}-`));
    expect(await row.locator('button').count()).to.equal(0); // read-only
    await row.locator('a', { hasText: `#${order3.position}` }).click();
    await page.locator('h1', { hasText: 'UiSpecOrderPlaced' }).waitFor();
    expect(await page.locator('h1').innerText()).to.include(`#${order3.position}`);
  });

  it('pages a long stream both ways', async () => {
    await store.appendToStream('long-1', ExpectedVersion.NoStream, Array.from({ length: 45 }, (_, i) => ({ eventType: 'Ticked', data: { i: i + 1 } })));
    await open('#/stream/long-1');
    await page.getByText('Versions 26–45 of 45').waitFor();
    await page.click('button:has-text("Older")');
    await page.getByText('Versions 6–25 of 45').waitFor();
    await page.click('button:has-text("Older")');
    await page.getByText('Versions 1–5 of 45').waitFor();
    await page.click('button:has-text("Newer")');
    await page.getByText('Versions 6–25 of 45').waitFor();
  });

  it('rebuilds a projection from the page only with --allow-admin, after a confirmation', async () => {
    await open('#/subscriptions');
    await page.locator('table.projections').waitFor();
    expect(await page.locator('button:has-text("Rebuild")').count()).to.equal(0);

    await runner.stop();
    const adminRunner = store.projections([OrderCount]);
    const admin = await startUiServer({ store, url: testDatabaseUrl(), port: 0, allowAdmin: true, runner: adminRunner });
    try {
      await open('#/subscriptions', admin.url);
      const rebuild = page.locator('tr[data-name="ui-order-count"] button:has-text("Rebuild")');
      await rebuild.waitFor();
      expect(await page.locator('#store-summary').innerText()).to.include('admin');

      const dismissed = page.waitForEvent('dialog').then((dialog) => { expect(dialog.message()).to.include('Rebuild projection "ui-order-count"'); return dialog.dismiss(); });
      await rebuild.click();
      await dismissed;
      expect(await page.locator('.notice').innerText()).to.equal('');

      page.once('dialog', (dialog) => dialog.accept());
      await rebuild.click();
      const lastPosition = (await store.readAllBackward(-1, 1))[0].position;
      await page.getByText(new RegExp(`Rebuilt ui-order-count: \\d+ events up to position ${lastPosition}`)).waitFor();
    } finally {
      await admin.close();
    }
  });

  it('replays parked events from the page only with --allow-admin, after a confirmation', async () => {
    await runner.stop();
    const adminRunner = store.projections([OrderCount, OrderAudit]);
    const admin = await startUiServer({ store, url: testDatabaseUrl(), port: 0, allowAdmin: true, runner: adminRunner });
    try {
      await open('#/subscriptions', admin.url);
      const replay = page.locator('table.parked tr[data-projection="ui-order-audit"] button:has-text("Replay")');
      await replay.waitFor();
      await shot('parked');

      const dismissed = page.waitForEvent('dialog').then((dialog) => { expect(dialog.message()).to.equal('Replay the parked events of projection "ui-order-audit"?'); return dialog.dismiss(); });
      await replay.click();
      await dismissed;
      expect(await page.locator('table.parked tbody tr').count()).to.equal(1);

      OrderAudit.refused.clear();
      page.once('dialog', (dialog) => dialog.accept());
      await replay.click();
      await page.getByText('Replayed the parked events of ui-order-audit: 1 applied, 0 failed again.').waitFor();
      await page.getByText('No parked events.').waitFor();
      expect(await adminRunner.parked('ui-order-audit')).to.deep.equal([]);
    } finally {
      OrderAudit.refused = new Set([30]);
      await admin.close();
    }
  });
});
