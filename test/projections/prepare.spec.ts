/**
 * A projection's optional `prepare(events, ctx)`: called once per batch,
 * before its handlers, with the batch's handled events, in the batch's
 * transaction — the place to load the rows the handlers will change in one
 * query; handlers get what it returns as `ctx.prepared`.
 */
import { expect } from 'chai';
import { EventStore, Handles, Projection, ProjectionBatchContext, ProjectionContext, ProjectionResetContext, RecordedEvent } from '../../src';
import { disposeStore } from '../support/stores';
import { AccountBalance, AccountOpened, Deposited, Noted } from './fixtures';
import { appendEvents, balances, caughtUp, projectionStore } from './helpers';

@Projection('spec-prepared-balances', { batchSize: 20 })
class PreparedBalances {
  readonly batches: Array<{ instances: object[]; events: RecordedEvent[]; loaded: number }> = [];
  /** Handler lookups that had to go to the database. */
  misses = 0;
  failPrepareOnce = false;

  async prepare(events: readonly object[], { em, events: recorded }: ProjectionBatchContext): Promise<Map<string, AccountBalance>> {
    if (this.failPrepareOnce) {
      this.failPrepareOnce = false;
      throw new Error('prepare failed');
    }
    const ids = [...new Set(events.map((e) => (e as Deposited).accountId))];
    const loaded = await em.find(AccountBalance, { accountId: { $in: ids } });
    this.batches.push({ instances: [...events], events: [...recorded], loaded: loaded.length });
    return new Map(loaded.map((row) => [row.accountId, row]));
  }

  @Handles(AccountOpened)
  opened(e: AccountOpened, { em, prepared }: ProjectionContext): void {
    const row = new AccountBalance(e.accountId, e.owner, e.balance);
    em.persist(row);
    (prepared as Map<string, AccountBalance>).set(e.accountId, row);
  }

  @Handles(Deposited)
  async deposited(e: Deposited, { em, prepared }: ProjectionContext): Promise<void> {
    let account = (prepared as Map<string, AccountBalance>).get(e.accountId);
    if (!account) {
      this.misses++;
      account = await em.findOneOrFail(AccountBalance, { accountId: e.accountId });
    }
    account.balance += e.amount;
    account.events += 1;
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AccountBalance, {});
  }
}

describe('projections: prepare', function () {
  this.timeout(30_000);
  let store: EventStore;

  before(async () => {
    store = await projectionStore('proj_prepare');
  });
  after(() => disposeStore(store));

  it('is called once per batch, before the handlers, with the handled events; handlers get what it returned', async () => {
    await appendEvents(store, 'a', [new AccountOpened('a', 'Ada', 0), new AccountOpened('b', 'Bob', 0)]);
    const projection = new PreparedBalances();
    const runner = store.projections([projection]);
    await runner.start();
    await caughtUp(runner, 'spec-prepared-balances');

    projection.batches.length = 0;
    projection.misses = 0;
    const deposits = Array.from({ length: 40 }, (_, i) => new Deposited(i % 2 ? 'a' : 'b', 1));
    await appendEvents(store, 'deposits', [...deposits.slice(0, 20), new Noted('not handled'), ...deposits.slice(20)]);
    await caughtUp(runner, 'spec-prepared-balances');
    await runner.stop();

    const handled = projection.batches.flatMap((b) => b.events);
    expect(handled.map((e) => e.eventType)).to.deep.equal(Array(40).fill('ProjSpecDeposited'));
    for (const batch of projection.batches) {
      expect(batch.instances.every((i) => i instanceof Deposited)).to.equal(true);
      expect(batch.instances).to.have.length(batch.events.length);
      expect(batch.events.length).to.be.at.most(20);
      expect(batch.loaded).to.equal(new Set(batch.instances.map((i) => (i as Deposited).accountId)).size);
    }
    expect(projection.misses, 'every handler found its row in the EntityManager').to.equal(0);
    expect((await balances(store.schema)).map((b) => [b.account_id, b.balance, b.events])).to.deep.equal([['a', 20, 21], ['b', 20, 21]]);
  });

  it('a prepare that throws rolls the batch back; it is retried and every event is applied once', async () => {
    const projection = new PreparedBalances();
    projection.failPrepareOnce = true;
    const runner = store.projections([projection], { retryDelayMs: 10 });
    const errors: string[] = [];
    runner.on('error', (error) => errors.push(error.message));
    await runner.rebuild('spec-prepared-balances');
    await runner.stop();
    expect(errors.some((m) => m.includes('prepare failed'))).to.equal(true);
    expect((await balances(store.schema)).map((b) => [b.account_id, b.balance, b.events])).to.deep.equal([['a', 20, 21], ['b', 20, 21]]);
  });
});
