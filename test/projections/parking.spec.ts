import { expect } from 'chai';
import { join } from 'node:path';
import {
  EventStore,
  InvalidArgumentError,
  Projection,
  ProjectionEventParkedError,
  ProjectionNotFoundError,
  ProjectionRunner,
} from '../../src';
import { lines, runInProcess } from '../cli/cli-runner';
import { caught, disposeStore, withClient } from '../support/stores';
import { checkpointOf } from '../subscriptions/helpers';
import { appendEvents, balances, caughtUp, projectionStore, waitUntil } from './helpers';
import { ParkCredit, ParkingCredits } from './parking-fixtures';

const NAME = 'spec-parking-credits';
const MODULE = join(__dirname, 'support', 'cli-module-parking.ts');

describe('projections: parking poison events', function () {
  this.timeout(30_000);
  let store: EventStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = await projectionStore('proj_park');
    ParkingCredits.poison = new Set();
    ParkingCredits.applied = [];
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await disposeStore(store);
  });

  function runner(errors: Error[] = []): ProjectionRunner {
    const created = store.projections([ParkingCredits], { retryDelayMs: 5, onError: (error) => errors.push(error) });
    runners.push(created);
    return created;
  }

  /** Appends credits of these amounts to one account; returns the position of each. */
  async function credits(amounts: number[]): Promise<Map<number, number>> {
    await appendEvents(store, 'credits', amounts.map((amount) => new ParkCredit('acc', amount)));
    const all = await store.readAllForward();
    return new Map(all.map((event) => [(event.data as { amount: number }).amount, event.position]));
  }

  async function parkedRows(): Promise<Array<Record<string, unknown>>> {
    return withClient(async (c) => (await c.query(`select * from "${store.schema}".parked_events order by position`)).rows);
  }

  it('after maxAttempts parks the event with its error and attempts, moves past it and applies the rest', async () => {
    const positions = await credits([1, 2, 3, 4, 5]);
    ParkingCredits.poison.add(3);
    const errors: Error[] = [];
    const projections = runner(errors);
    await projections.start();
    await caughtUp(projections, NAME);

    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 12, events: 4 }]);
    const status = await projections.status(NAME);
    expect(status).to.include({ state: 'live', checkpoint: positions.get(5), lag: 0, parked: 1 });
    expect(status.failure).to.equal(undefined);

    const [parked, ...more] = await projections.parked(NAME);
    expect(more).to.have.length(0);
    const [stored] = await store.readAllForward(positions.get(3)!, 1);
    expect(parked).to.deep.include({
      projection: NAME, position: positions.get(3), eventId: stored.eventId, streamId: 'credits', streamVersion: 3,
      eventType: 'ProjSpecParkCredit', attempts: 2,
    });
    expect(parked.error.message).to.equal('no credit of 3');
    expect(parked.error.code).to.equal('E_POISON');
    expect(parked.error.stack).to.match(/no credit of 3\n\s+at /);
    expect(parked.parkedAt).to.be.instanceOf(Date);

    const reported = errors.filter((error) => error instanceof ProjectionEventParkedError) as ProjectionEventParkedError[];
    expect(reported).to.have.length(1);
    expect(reported[0]).to.include({ code: 'projection_event_parked', projection: NAME, position: positions.get(3), attempts: 2 });
  });

  it('parks only the failing event of a batch: the events before it are applied first, in their own commit', async () => {
    // One attempt allowed: the first failure is in a batch of five, where the poison event is not first.
    const positions = await credits([1, 2, 3, 4, 5]);
    ParkingCredits.poison.add(4);
    @Projection('spec-parking-once', { batchSize: 20, maxAttempts: 1, poisonEvents: 'park' })
    class ParkingOnce extends ParkingCredits {}
    const projections = store.projections([ParkingOnce], { retryDelayMs: 5, onError: () => undefined });
    runners.push(projections);
    await projections.start();
    await caughtUp(projections, 'spec-parking-once');
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 11, events: 4 }]);
    expect((await projections.parked('spec-parking-once')).map((p) => p.position)).to.deep.equal([positions.get(4)]);
  });

  it('writes the parked row and the checkpoint in one transaction: a failure at the checkpoint leaves no parked row', async () => {
    const positions = await credits([1, 2, 3, 4]);
    const poison = positions.get(3)!;
    ParkingCredits.poison.add(3);
    // The checkpoint write fails when it would move onto the poison event (only the park does that).
    await withClient((c) => c.query(`
      create function "${store.schema}".refuse_checkpoint() returns trigger language plpgsql as $$
        begin raise exception 'checkpoint write refused at %', new.last_seen; end $$;
      create trigger refuse_checkpoint before update on "${store.schema}".subscriptions
        for each row when (new.last_seen = ${poison}) execute function "${store.schema}".refuse_checkpoint();`));
    const errors: Error[] = [];
    const projections = runner(errors);
    await projections.start();
    await waitUntil(() => errors.filter((error) => /checkpoint write refused/.test(error.message)).length >= 2, 'two parks refused', 10_000);

    expect(await parkedRows()).to.deep.equal([]);
    expect(await checkpointOf(store.schema, '$all', `projection:${NAME}`)).to.equal(positions.get(2));
    expect((await projections.status(NAME)).parked).to.equal(0);

    await withClient((c) => c.query(`drop trigger refuse_checkpoint on "${store.schema}".subscriptions`));
    await caughtUp(projections, NAME);
    expect((await parkedRows()).map((row) => Number(row.position))).to.deep.equal([poison]);
    expect(await checkpointOf(store.schema, '$all', `projection:${NAME}`)).to.equal(positions.get(4));
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 7, events: 3 }]);
  });

  it('replays parked events in position order: a success leaves the table, a failure stays with one attempt more', async () => {
    const positions = await credits([1, 2, 3, 4, 5, 6]);
    ParkingCredits.poison = new Set([5, 2]);
    const projections = runner();
    await projections.start();
    await caughtUp(projections, NAME);
    expect((await projections.parked(NAME)).map((p) => p.position)).to.deep.equal([positions.get(2), positions.get(5)]);

    // Still poison: nothing is applied, both stay, each with a third attempt.
    ParkingCredits.applied = [];
    const failed = await projections.replayParked(NAME);
    expect(failed).to.include({ projection: NAME, replayed: 0, failed: 2 });
    expect(failed.stillParked.map((p) => [p.position, p.attempts])).to.deep.equal([[positions.get(2), 3], [positions.get(5), 3]]);
    expect((await projections.parked(NAME)).map((p) => p.attempts)).to.deep.equal([3, 3]);
    expect(ParkingCredits.applied).to.deep.equal([2, 5]);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 14, events: 4 }]);

    // 5 is cured, 2 is not.
    ParkingCredits.poison.delete(5);
    ParkingCredits.applied = [];
    const partly = await projections.replayParked(NAME);
    expect(partly).to.include({ replayed: 1, failed: 1 });
    expect(ParkingCredits.applied).to.deep.equal([2, 5]);
    const [left] = await projections.parked(NAME);
    expect(left).to.include({ position: positions.get(2), attempts: 4 });
    expect(left.error.message).to.equal('no credit of 2');
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 19, events: 5 }]);
    expect((await projections.status(NAME)).parked).to.equal(1);

    ParkingCredits.poison.clear();
    expect(await projections.replayParked(NAME)).to.deep.equal({ projection: NAME, replayed: 1, failed: 0, stillParked: [] });
    expect(await projections.parked(NAME)).to.deep.equal([]);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 21, events: 6 }]);
    expect((await projections.status(NAME)).parked).to.equal(0);
  });

  it('a rebuild drops the parked events with the read model: each event is applied once, or parked afresh', async () => {
    const positions = await credits([1, 2, 3, 4, 5]);
    ParkingCredits.poison = new Set([2, 4]);
    const projections = runner();
    await projections.start();
    await caughtUp(projections, NAME);
    expect(await projections.parked(NAME)).to.have.length(2);

    ParkingCredits.poison.delete(2);
    await projections.rebuild(NAME);
    await caughtUp(projections, NAME);
    const parked = await projections.parked(NAME);
    expect(parked.map((p) => [p.position, p.attempts])).to.deep.equal([[positions.get(4), 2]]);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 11, events: 4 }]);
    ParkingCredits.poison.clear();
    expect(await projections.replayParked(NAME)).to.include({ replayed: 1, failed: 0 });
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 15, events: 5 }]);
  });

  it('two replays at once apply each parked event once', async () => {
    const amounts = Array.from({ length: 12 }, (_, i) => i + 1);
    await credits(amounts);
    ParkingCredits.poison = new Set(amounts.filter((amount) => amount % 2 === 0));
    const projections = runner();
    await projections.start();
    await caughtUp(projections, NAME);
    expect(await projections.parked(NAME)).to.have.length(6);

    ParkingCredits.poison.clear();
    const other = store.projections([ParkingCredits]);
    const results = await Promise.all([projections.replayParked(NAME), other.replayParked(NAME)]);
    expect(results[0].replayed + results[1].replayed).to.equal(6);
    expect(results[0].failed + results[1].failed).to.equal(0);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 78, events: 12 }]);
  });

  it('replays without a running projection, and from the command line with a summary; the CLI status shows the count', async () => {
    await credits([1, 2, 3]);
    ParkingCredits.poison.add(2);
    const projections = runner();
    await projections.start();
    await caughtUp(projections, NAME);
    await projections.stop();

    const status = await runInProcess(['status', '--schema', store.schema]);
    expect(lines(status.stdout)).to.include(`parked: projection:${NAME} 1 event (replay-parked applies them again)`);
    const json = JSON.parse((await runInProcess(['status', '--schema', store.schema, '--json'])).stdout);
    expect(json.subscriptions.map((s: { name: string; parked: number }) => [s.name, s.parked])).to.deep.equal([[`projection:${NAME}`, 1]]);

    const again = await runInProcess(['replay-parked', NAME, '--module', MODULE, '--schema', store.schema]);
    expect(again.code).to.equal(1);
    expect(again.stdout).to.equal(`replayed 0 parked events of ${NAME}; 1 still parked\n`);
    expect(lines(again.stderr)).to.deep.equal([
      'warning: position 2 (ProjSpecParkCredit, credits@2) failed again, attempt 3: no credit of 2',
      `error: 1 parked event of ${NAME} failed again and stays parked`,
    ]);

    ParkingCredits.poison.clear();
    const done = await runInProcess(['replay-parked', NAME, '--module', MODULE, '--schema', store.schema]);
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.equal(`replayed 1 parked event of ${NAME}; 0 still parked\n`);
    expect(await parkedRows()).to.deep.equal([]);
    expect(await balances(store.schema)).to.deep.equal([{ account_id: 'acc', owner: 'parking', balance: 6, events: 3 }]);
    expect(lines((await runInProcess(['status', '--schema', store.schema])).stdout).some((line) => line.startsWith('parked:'))).to.equal(false);
  });

  describe('bad input', () => {
    it('refuses a bad poisonEvents option, and park for an inline projection', () => {
      expect(() => Projection('spec-parking-bad', { poisonEvents: 'skip' as never })).to.throw(InvalidArgumentError, /poisonEvents: expected 'stop' or 'park', got "skip"/);
      expect(() => Projection('spec-parking-bad', { inline: true, poisonEvents: 'park' })).to.throw(InvalidArgumentError, /inline projection cannot park/);
    });

    it('refuses unknown and non-string projection names, writing nothing', async () => {
      const projections = runner();
      const unknown = await caught(projections.parked('nope'));
      expect(unknown).to.be.instanceOf(ProjectionNotFoundError).and.include({ code: 'projection_not_found', projection: 'nope' });
      expect(await caught(projections.replayParked('nope'))).to.be.instanceOf(ProjectionNotFoundError);
      const notString = await caught(projections.replayParked(42 as never));
      expect(notString).to.be.instanceOf(InvalidArgumentError).and.include({ code: 'invalid_argument' });
      expect(await parkedRows()).to.deep.equal([]);
    });

    it('the CLI refuses a missing --module and an unknown projection, exit code 2', async () => {
      const missing = await runInProcess(['replay-parked', NAME, '--schema', store.schema]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.equal("error: required option '--module <path>' not specified\n");
      const unknown = await runInProcess(['replay-parked', 'nope', '--module', MODULE, '--schema', store.schema]);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.equal(`error: no projection "nope" in ${MODULE} (it has: "${NAME}")\n`);
    });
  });
});
