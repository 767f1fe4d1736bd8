import { expect } from 'chai';
import { EventStore, ExpectedVersion, ProjectionRunner } from '../../src';
import { lines, runInProcess } from '../cli/cli-runner';
import { disposeStore } from '../support/stores';
import { AccountBalances, AccountOpened, Deposited } from './fixtures';
import { appendEvents, caughtUp, projectionStore } from './helpers';

describe('projections: lag', () => {
  let store: EventStore;
  let runner: ProjectionRunner;

  before(async () => {
    store = await projectionStore('proj_lag', { enableHardDeletes: true });
    runner = store.projections([AccountBalances]);
  });
  after(async () => {
    await runner.stop();
    await disposeStore(store);
  });

  it('counts the $all events after the checkpoint, 0 when caught up, leaving out hard-deleted events', async () => {
    expect(await runner.lag('spec-account-balances'), 'nothing stored, never run').to.equal(0);
    await appendEvents(store, 'acc-1', [new AccountOpened('acc-1', 'Ada', 1)]);
    expect(await runner.lag('spec-account-balances'), 'never run: every event').to.equal(1);
    await runner.start();
    await caughtUp(runner, 'spec-account-balances');
    expect(await runner.lag('spec-account-balances')).to.equal(0);
    await runner.stop();

    await store.appendToStream('gone', ExpectedVersion.NoStream, [1, 2, 3].map((n) => ({ eventType: 'Gone', data: { n } })));
    await appendEvents(store, 'acc-1', [new Deposited('acc-1', 1), new Deposited('acc-1', 2)]);
    expect(await runner.lag('spec-account-balances')).to.equal(5);
    await store.deleteStream('gone', 3, { hard: true });
    const status = await runner.status('spec-account-balances');
    expect(status).to.include({ state: 'stopped', checkpoint: 1, lag: 2 });
  });

  it('is shown by the CLI status, where projections are the subscription rows projection:<name>', async () => {
    const json = await runInProcess(['status', '--schema', store.schema, '--json']);
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout).subscriptions).to.deep.equal([
      { streamId: '$all', name: 'projection:spec-account-balances', checkpoint: 1, lag: 2, owner: null, ownedSince: null, failure: null, parked: 0 },
    ]);
    const text = await runInProcess(['status', '--schema', store.schema]);
    expect(lines(text.stdout).slice(-2)).to.deep.equal([
      'STREAM  NAME                              CHECKPOINT  LAG  OWNER',
      '$all    projection:spec-account-balances           1    2  -',
    ]);

    await runner.start();
    await caughtUp(runner, 'spec-account-balances');
    const after = JSON.parse((await runInProcess(['status', '--schema', store.schema, '--json'])).stdout).subscriptions[0];
    expect(after).to.include({ checkpoint: 6, lag: 0 });
    expect(after.owner).to.be.a('string');
  });
});
