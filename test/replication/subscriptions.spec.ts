/**
 * Subscriptions and projections whose reads go to a hot standby: woken by
 * the primary's notifications, they read only what the standby has
 * replayed, neither skip nor repeat, send the standby nothing while idle,
 * and survive a standby that falls behind or goes away mid-run.
 */
import { expect } from 'chai';
import { EventStore, ExpectedVersion, RecordedEvent } from '../../src';
import type { Standby as StandbyServer } from '../../support/standby';
import { AppliedLog, Deposited, READ_MODEL_ENTITIES, createReadModel } from '../projections/fixtures';
import { appendEvents, rows } from '../projections/helpers';
import { Recorder, waitUntil } from '../subscriptions/helpers';
import { standbyOrSkip } from '../support/standby';
import { countStandbyQueries } from '../support/store-probe';
import { dropSchema, events } from '../support/stores';
import { pauseReplay, primaryStore, replicaStore, resumeReplay, sleep, uniqueSchema } from './helpers';

/** No fallback poll: every delivery below comes from a notification. */
const NOTIFICATIONS_ONLY = { subscriptions: { pollIntervalMs: 0 } };

describe('subscriptions and projections on a hot standby', function () {
  this.timeout(90_000);
  let standby: StandbyServer;
  let schema: string;
  let writer: EventStore;
  const stores: EventStore[] = [];

  async function store(options: Parameters<typeof replicaStore>[2] = {}): Promise<EventStore> {
    const opened = await replicaStore(standby, schema, { ...NOTIFICATIONS_ONLY, ...options });
    stores.push(opened);
    return opened;
  }

  /** Appends `count` events, one per append, spread over `writers` concurrent writers and a few streams. */
  async function write(count: number, label: string, writers = 4, pauseMs = 0): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      while (next < count) {
        const n = next++;
        await writer.appendToStream(`${label}-${w}-${n % 3}`, ExpectedVersion.Any, events(1, label, n));
        if (pauseMs) await sleep(pauseMs);
      }
    }));
  }

  function expectOnceInOrder(delivered: RecordedEvent[], label: string, count: number): void {
    const mine = delivered.filter((e) => e.eventType === label);
    const positions = mine.map((e) => e.position);
    expect(positions, 'increasing positions, no repeats').to.deep.equal([...positions].sort((a, b) => a - b).filter((p, i, all) => i === 0 || p !== all[i - 1]));
    expect(new Set(mine.map((e) => e.eventId)).size).to.equal(mine.length);
    expect(mine.map((e) => (e.data as { n: number }).n).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: count }, (_, i) => i));
  }

  before(async function () {
    standby = await standbyOrSkip(this);
    schema = uniqueSchema('replica_subs');
    writer = await primaryStore(schema);
  });

  afterEach(async () => {
    await resumeReplay(standby).catch(() => undefined);
    await standby.start();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  after(async () => {
    await writer?.close();
    if (schema) await dropSchema(schema);
  });

  it('a persistent $all subscription gets every event once, in order, under concurrent writers', async () => {
    const reader = await store();
    const recorder = new Recorder();
    await reader.subscribeToAllStreams('replica-all', recorder.handler, { startFrom: 'current', onError: recorder.onError });
    await write(200, 'Load');
    await waitUntil(() => recorder.events.filter((e) => e.eventType === 'Load').length >= 200, '200 events delivered', 30_000);
    await sleep(200);
    expectOnceInOrder(recorder.events, 'Load', 200);
    expect(recorder.errors).to.deep.equal([]);
  });

  it('reads only what the standby has replayed (fallback "wait"), then all of it once', async () => {
    const reader = await store({ replica: { fallback: 'wait', timeoutMs: 300 } });
    const recorder = new Recorder();
    await reader.subscribe('$all', recorder.handler);
    await pauseReplay(standby);
    await write(5, 'Paused', 1);
    await sleep(1200);
    expect(recorder.events, 'nothing the standby has not replayed').to.deep.equal([]);
    await resumeReplay(standby);
    await waitUntil(() => recorder.events.length >= 5, '5 events delivered', 10_000);
    await sleep(100);
    expectOnceInOrder(recorder.events, 'Paused', 5);
  });

  it('a standby that falls behind is passed by for the primary (fallback "primary"), nothing repeated when it catches up', async () => {
    const reader = await store({ replica: { fallback: 'primary', timeoutMs: 300 } });
    const recorder = new Recorder();
    await reader.subscribeToAllStreams('replica-behind', recorder.handler, { startFrom: 'current', onError: recorder.onError });
    await pauseReplay(standby);
    await write(5, 'Behind', 1);
    await waitUntil(() => recorder.events.length >= 5, '5 events delivered from the primary', 10_000);
    await resumeReplay(standby);
    await standby.caughtUp();
    await write(5, 'Behind2', 1);
    await waitUntil(() => recorder.events.length >= 10, '10 events delivered', 10_000);
    await sleep(100);
    expectOnceInOrder(recorder.events, 'Behind', 5);
    expectOnceInOrder(recorder.events, 'Behind2', 5);
    expect(recorder.events).to.have.length(10);
  });

  it('sends the standby nothing while idle, and reads once woken', async () => {
    const reader = await store();
    const recorder = new Recorder();
    await reader.subscribeToAllStreams('replica-idle', recorder.handler, { startFrom: 'current' });
    await reader.subscribe('$all', async () => undefined);
    await write(3, 'Idle', 1);
    await waitUntil(() => recorder.events.length >= 3, '3 events delivered');
    // The subscriptions' last reads (each finds nothing more) end.
    await sleep(300);
    const queries = await countStandbyQueries(reader);
    await sleep(1500);
    expect(queries.count, 'queries to the standby while nothing happened').to.equal(0);
    await write(1, 'Idle2', 1);
    await waitUntil(() => recorder.events.length >= 4, 'the next event delivered');
    expect(queries.count).to.be.greaterThan(0);
    queries.stop();
  });

  for (const fallback of ['primary', 'wait'] as const) {
    it(`a standby stopped mid-run (fallback "${fallback}"): every event delivered once, in order`, async () => {
      const reader = await store({ replica: { fallback, timeoutMs: 30_000, retryAfterMs: 100 } });
      const recorder = new Recorder();
      await reader.subscribeToAllStreams(`replica-stop-${fallback}`, recorder.handler, { startFrom: 'current', onError: recorder.onError });
      const label = `Stop${fallback}`;
      const writing = write(150, label, 3, 10);
      await waitUntil(() => recorder.events.length >= 20, 'some events delivered', 20_000);
      await standby.stop();
      await sleep(800);
      await standby.start();
      await writing;
      await waitUntil(() => recorder.events.length >= 150, '150 events delivered', 40_000);
      await sleep(200);
      expectOnceInOrder(recorder.events, label, 150);
      expect(recorder.events).to.have.length(150);
    });
  }

  it('a projection reads the standby and writes its read model on the primary, each event once', async () => {
    const reader = await store({ entities: READ_MODEL_ENTITIES as never });
    await createReadModel(reader);
    const runner = reader.projections([new AppliedLog()]);
    await runner.start();
    try {
      let n = 0;
      await Promise.all(Array.from({ length: 3 }, async (_, w) => {
        while (n < 60) {
          n++;
          await appendEvents(writer, `account-${w}`, [new Deposited(`account-${w}`, 1)]);
        }
      }));
      await waitUntil(async () => (await runner.status('spec-applied-log')).lag === 0, 'the projection caught up', 30_000);
      const applied = await rows<{ event_id: string; position: string }>(schema, 'proj_applied_events', 'position');
      expect(applied).to.have.length(60);
      const [last] = await writer.readAllBackward(-1, 1);
      expect(Number(applied[applied.length - 1].position)).to.equal(last.position);
    } finally {
      await runner.stop();
    }
  });
});
