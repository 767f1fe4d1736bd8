import { expect } from 'chai';
import type { EventSubscriber } from '@mikro-orm/core';
import { DomainEvent, EventStore, Handles, Projection, ProjectionContext, ProjectionRunner } from '../../src';
import { disposeStore } from '../support/stores';
import { AccountBalance } from './fixtures';
import { appendEvents, balances, caughtUp, projectionStore } from './helpers';

@DomainEvent('ProjSpecNaiveCredit')
class NaiveCredit {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** The handler a MikroORM user writes first: find the row by key, create it or add to it. */
@Projection('spec-naive-credits', { batchSize: 500 })
class NaiveCredits {
  queries = 0;

  @Handles(NaiveCredit)
  async credit(e: NaiveCredit, { em }: ProjectionContext): Promise<void> {
    const row = await em.findOne(AccountBalance, { accountId: e.accountId });
    if (row) {
      row.balance += e.amount;
      row.events++;
    } else {
      em.persist(new AccountBalance(e.accountId, 'naive', e.amount));
    }
  }
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

  it('flushes once per batch, and findOne by key finds rows the batch loaded or created (no duplicates)', async () => {
    const credits = Array.from({ length: 300 }, (_, i) => new NaiveCredit(`acc-${i % 7}`, i));
    await appendEvents(store, 'naive', credits);
    let flushes = 0;
    let selects = 0;
    const counter: EventSubscriber = { afterFlush: () => void flushes++ };
    store.orm.em.getEventManager().registerSubscriber(counter);
    const logger = store.orm.config.getLogger();
    const log = logger.log.bind(logger);
    logger.log = (namespace, message, context) => {
      if (namespace !== 'query') return log(namespace, message, context);
      if (/select .*proj_account_balances/.test(String(message))) selects++;
    };
    const debug = store.orm.config.get('debug');
    store.orm.config.set('debug', ['query']);
    logger.setDebugMode(['query']);
    try {
      runner = store.projections([NaiveCredits]);
      await runner.start();
      await caughtUp(runner, 'spec-naive-credits');
    } finally {
      logger.setDebugMode(debug);
      store.orm.config.set('debug', debug);
      logger.log = log;
    }
    const expected = Array.from({ length: 7 }, (_, a) => {
      const mine = credits.filter((c) => c.accountId === `acc-${a}`);
      return { account_id: `acc-${a}`, owner: 'naive', balance: mine.reduce((sum, c) => sum + c.amount, 0), events: mine.length };
    });
    expect(await balances(store.schema)).to.deep.equal(expected);
    // 300 events in one batch: its flush (and the transaction's closing one), and one select per account (its first event), none after.
    expect(flushes).to.be.at.most(2);
    expect(selects).to.equal(7);
  });
});
