import { expect } from 'chai';
import { Client } from 'pg';
import { EventStore, InvalidArgumentError, ProjectionNotFoundError, ProjectionRunner, ProjectionWaitTimeoutError } from '../../src';
import { ReportLine, ReportingChild } from '../support/reporting-child';
import { caught, disposeStore, testDatabaseUrl } from '../support/stores';
import { checkpointOf } from '../subscriptions/helpers';
import { AppliedLog, Deposited } from './fixtures';
import { Gate, appendEvents, projectionStore, rows, sleep, waitUntil } from './helpers';

const NAME = 'spec-applied-log';

describe('projections: waitFor (read your writes)', function () {
  this.timeout(60_000);
  let store: EventStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = await projectionStore('proj_wait');
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await disposeStore(store);
  });

  function runner(projection = new AppliedLog()): ProjectionRunner {
    const created = store.projections([projection], { onError: () => undefined });
    runners.push(created);
    return created;
  }

  /** Appends a deposit and returns its `$all` position. */
  async function deposit(amount: number): Promise<number> {
    await appendEvents(store, 'acc', [new Deposited('acc', amount)]);
    const [last] = await store.readAllBackward(-1, 1);
    return last.position;
  }

  function settled(promise: Promise<unknown>): { done: boolean } {
    const state = { done: false };
    promise.then(() => (state.done = true), () => (state.done = true));
    return state;
  }

  it("resolves once the projection's committed checkpoint reaches the position, not while the batch is still open", async () => {
    const gate = new Gate();
    const projections = runner(new AppliedLog({ onApplied: (position) => (position === 2 ? gate.pass() : undefined) }));
    await projections.start();
    const first = await deposit(1);
    const second = await deposit(2);
    const waitFirst = projections.waitFor(NAME, first);
    const waitSecond = projections.waitFor(NAME, second);
    const secondState = settled(waitSecond);
    await waitFirst;
    await waitUntil(() => gate.reached, 'the second batch is inside its handler');
    await sleep(100);
    expect(secondState.done, 'waitFor resolved before the batch committed').to.equal(false);
    expect(await checkpointOf(store.schema, '$all', `projection:${NAME}`)).to.equal(first);

    gate.release();
    await waitSecond;
    // Resolved means readable: the read model shows the event.
    const applied = await rows<{ position: string }>(store.schema, 'proj_applied_events', 'position');
    expect(applied.map((row) => Number(row.position))).to.deep.equal([first, second]);
    // Already there: at once.
    await projections.waitFor(NAME, first, { timeoutMs: 0 });
  });

  it('rejects with ProjectionWaitTimeoutError after timeoutMs, saying where the checkpoint is', async () => {
    const position = await deposit(1);
    const projections = runner(); // not started: nobody runs it
    const error = await caught(projections.waitFor(NAME, position, { timeoutMs: 150 }));
    expect(error).to.be.instanceOf(ProjectionWaitTimeoutError);
    expect(error).to.include({ code: 'projection_wait_timeout', projection: NAME, position, checkpoint: 0, timeoutMs: 150 });
    expect(error.message).to.equal(`Projection "${NAME}" did not reach position ${position} within 150 ms (its checkpoint is at 0)`);
    // Position 0 is reached before anything ran.
    await projections.waitFor(NAME, 0, { timeoutMs: 0 });
  });

  it('wakes on the checkpoint commit of a projection run by another process (a notification in the batch transaction)', async () => {
    const projections = runner(); // this process only waits
    const listener = new Client({ connectionString: testDatabaseUrl() });
    await listener.connect();
    const payloads: string[] = [];
    const child = new ReportingChild<ReportLine & { type: string }>('test/support/projection-child.ts', { CHILD_SCHEMA: store.schema, CHILD_NAME: 'child' });
    try {
      const { rows: [{ channel }] } = await listener.query(`select "${store.schema}".es_channel() as channel`);
      listener.on('notification', (message) => payloads.push(message.payload ?? ''));
      await listener.query(`listen "${channel}"`);
      await waitUntil(() => child.ready, 'the child runs the projection', 30_000);

      const position = await deposit(7);
      await projections.waitFor(NAME, position, { timeoutMs: 20_000 });
      expect(await checkpointOf(store.schema, '$all', `projection:${NAME}`)).to.be.at.least(position);
      const applied = await rows<{ event_id: string; position: string; applied_by: string }>(store.schema, 'proj_applied_events', 'position');
      expect(applied).to.deep.equal([{ event_id: applied[0].event_id, projection: NAME, position: String(position), applied_by: 'child' }]);
      await waitUntil(() => payloads.includes(`c:${position}:projection:${NAME}`), 'the checkpoint notification', 5_000);
    } finally {
      child.kill();
      await child.exited;
      await listener.end();
    }
  });

  describe('bad input', () => {
    it('refuses an unknown projection, bad positions and bad timeouts with typed errors', async () => {
      const projections = runner();
      const unknown = await caught(projections.waitFor('nope', 1));
      expect(unknown).to.be.instanceOf(ProjectionNotFoundError).and.include({ code: 'projection_not_found', projection: 'nope' });
      for (const position of [-1, 1.5, '3', Number.NaN, undefined, null, 2 ** 60]) {
        const error = await caught(projections.waitFor(NAME, position as never));
        expect(error, String(position)).to.be.instanceOf(InvalidArgumentError).and.include({ code: 'invalid_argument' });
        expect(error.message).to.match(/position/);
      }
      for (const options of [{ timeoutMs: -1 }, { timeoutMs: 1.5 }, { timeoutMs: '100' }, 'fast', null]) {
        const error = await caught(projections.waitFor(NAME, 1, options as never));
        expect(error, JSON.stringify(options)).to.be.instanceOf(InvalidArgumentError).and.include({ code: 'invalid_argument' });
      }
    });
  });
});
