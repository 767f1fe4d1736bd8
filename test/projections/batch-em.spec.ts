import { expect } from 'chai';
import type { EventSubscriber } from '@mikro-orm/core';
import { DomainEvent, EventStore, Handles, InvalidArgumentError, Projection, ProjectionContext, ProjectionRunner } from '../../src';
import { disposeStore } from '../support/stores';
import { AccountBalance } from './fixtures';
import { appendEvents, balances, caughtUp, projectionStore } from './helpers';

@DomainEvent('ProjSpecNaiveCredit')
class NaiveCredit {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** A credit whose account id sits in a nested object of the event. */
@DomainEvent('ProjSpecNestedCredit')
class NestedCredit {
  constructor(readonly to: { accountId: string }, readonly amount: number) {}
}

/** The handler a MikroORM user writes first: find the row by key, create it or add to it. */
async function credit(em: ProjectionContext['em'], accountId: string, amount: number): Promise<void> {
  const row = await em.findOne(AccountBalance, { accountId });
  if (row) {
    row.balance += amount;
    row.events++;
  } else {
    em.persist(new AccountBalance(accountId, 'naive', amount));
  }
}

@Projection('spec-naive-credits', { batchSize: 500 })
class NaiveCredits {
  @Handles(NaiveCredit)
  async credit(e: NaiveCredit, { em }: ProjectionContext): Promise<void> {
    await credit(em, e.accountId, e.amount);
  }

  @Handles(NestedCredit)
  async nested(e: NestedCredit, { em }: ProjectionContext): Promise<void> {
    await credit(em, e.to.accountId, e.amount);
  }
}

@Projection('spec-unbatched-credits', { batchSize: 500, batchLookups: false })
class UnbatchedCredits {
  @Handles(NaiveCredit)
  async credit(e: NaiveCredit, { em }: ProjectionContext): Promise<void> {
    await credit(em, e.accountId, e.amount);
  }
}

/** Creates missing rows with a native insert (around the unit of work), then looks them up again. */
@Projection('spec-native-credits', { batchSize: 500, maxAttempts: 1 })
class NativeInsertCredits {
  @Handles(NaiveCredit)
  async credit(e: NaiveCredit, { em }: ProjectionContext): Promise<void> {
    if (!(await em.findOne(AccountBalance, { accountId: e.accountId }))) {
      await em.insert(AccountBalance, { accountId: e.accountId, owner: 'native', balance: 0, events: 0 });
    }
    const row = await em.findOneOrFail(AccountBalance, { accountId: e.accountId });
    row.balance += e.amount;
    row.events++;
  }
}

/** Writes each event at once and clears the EntityManager: the next lookups must go to the table again (a retry would hide a miss). */
@Projection('spec-clearing-credits', { batchSize: 500, maxAttempts: 1 })
class ClearingCredits {
  @Handles(NaiveCredit)
  async credit(e: NaiveCredit, { em }: ProjectionContext): Promise<void> {
    await credit(em, e.accountId, e.amount);
    await em.flush();
    em.clear();
  }
}

/** Counts the flushes and the selects of proj_account_balances while `body` runs. */
async function counted(store: EventStore, body: () => Promise<void>): Promise<{ flushes: number; selects: number }> {
  const counts = { flushes: 0, selects: 0 };
  const counter: EventSubscriber = { afterFlush: () => void counts.flushes++ };
  store.orm.em.getEventManager().registerSubscriber(counter);
  const logger = store.orm.config.getLogger();
  const log = logger.log.bind(logger);
  logger.log = (namespace, message, context) => {
    if (namespace !== 'query') return log(namespace, message, context);
    if (/select .*proj_account_balances/.test(String(message))) counts.selects++;
  };
  const debug = store.orm.config.get('debug');
  store.orm.config.set('debug', ['query']);
  logger.setDebugMode(['query']);
  try {
    await body();
  } finally {
    logger.setDebugMode(debug);
    store.orm.config.set('debug', debug);
    logger.log = log;
  }
  return counts;
}

/** The rows `credits` should leave: one per account, its amounts summed. */
function expectedRows(credits: Array<{ accountId: string; amount: number }>, owner: string, accounts: number) {
  return Array.from({ length: accounts }, (_, a) => {
    const mine = credits.filter((c) => c.accountId === `acc-${a}`);
    return { account_id: `acc-${a}`, owner, balance: mine.reduce((sum, c) => sum + c.amount, 0), events: mine.length };
  });
}

describe('projections: the batch EntityManager', () => {
  let store: EventStore;
  let runner: ProjectionRunner | undefined;

  beforeEach(async () => {
    store = await projectionStore('proj_batch_em');
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await disposeStore(store);
  });

  async function project(projection: new () => object, name: string): Promise<{ flushes: number; selects: number }> {
    return counted(store, async () => {
      runner = store.projections([projection]);
      await runner.start();
      await caughtUp(runner, name);
    });
  }

  it('flushes once per batch, and loads the rows a batch looks up by key in one select (no duplicates)', async () => {
    const credits = Array.from({ length: 300 }, (_, i) => new NaiveCredit(`acc-${i % 7}`, i));
    await appendEvents(store, 'naive', credits);
    const { flushes, selects } = await project(NaiveCredits, 'spec-naive-credits');
    expect(await balances(store.schema)).to.deep.equal(expectedRows(credits, 'naive', 7));
    // 300 events in one batch: its flush (and the transaction's closing one), and one select for the batch's 7 accounts.
    expect(flushes).to.be.at.most(2);
    expect(selects).to.equal(1);
  });

  it('finds rows written by earlier batches, and keys in a nested object of the event', async () => {
    const first = Array.from({ length: 40 }, (_, i) => new NaiveCredit(`acc-${i % 5}`, i));
    await appendEvents(store, 'naive', first);
    runner = store.projections([NaiveCredits]);
    await runner.start();
    await caughtUp(runner, 'spec-naive-credits');
    const nested = Array.from({ length: 60 }, (_, i) => new NestedCredit({ accountId: `acc-${i % 8}` }, 1000 + i));
    const { selects } = await counted(store, async () => {
      await appendEvents(store, 'nested', nested);
      await caughtUp(runner!, 'spec-naive-credits');
    });
    const all = [...first, ...nested.map((n) => ({ accountId: n.to.accountId, amount: n.amount }))];
    expect(await balances(store.schema)).to.deep.equal(expectedRows(all, 'naive', 8));
    // The second batch (or batches, as the append was read) loads its accounts in one select each.
    expect(selects).to.be.within(1, 3);
  });

  it('with batchLookups: false, looks each row up with a select of its own, as MikroORM does', async () => {
    const credits = Array.from({ length: 300 }, (_, i) => new NaiveCredit(`acc-${i % 7}`, i));
    await appendEvents(store, 'naive', credits);
    const { selects } = await project(UnbatchedCredits, 'spec-unbatched-credits');
    expect(await balances(store.schema)).to.deep.equal(expectedRows(credits, 'naive', 7));
    expect(selects).to.equal(7);
  });

  it('looks a missing key up again after the batch writes around the unit of work (a native insert)', async () => {
    const credits = Array.from({ length: 50 }, (_, i) => new NaiveCredit(`acc-${i % 4}`, i));
    await appendEvents(store, 'native', credits);
    await project(NativeInsertCredits, 'spec-native-credits');
    expect(await balances(store.schema)).to.deep.equal(expectedRows(credits, 'native', 4));
  });

  it('looks keys up again after the batch clears its EntityManager', async () => {
    const credits = Array.from({ length: 40 }, (_, i) => new NaiveCredit(`acc-${i % 4}`, i));
    await appendEvents(store, 'clearing', credits);
    await project(ClearingCredits, 'spec-clearing-credits');
    expect(await balances(store.schema)).to.deep.equal(expectedRows(credits, 'naive', 4));
  });

  it('refuses a batchLookups option that is not a boolean', () => {
    expect(() => Projection('spec-bad-lookups', { batchLookups: 'yes' as unknown as boolean }))
      .to.throw(InvalidArgumentError, /batchLookups: expected a boolean, got "yes"|batchLookups.*boolean/);
  });
});
