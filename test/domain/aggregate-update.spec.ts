import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  AggregateRepository,
  ConcurrencyRetriesExhaustedError,
  DEFAULT_UPDATE_RETRIES,
  EventStore,
  InvalidArgumentError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { Account } from './fixtures';
import { barrier } from './helpers';

describe('AggregateRepository.update: defaults, unknown ids, exhausted retries', () => {
  let store: EventStore;
  let second: EventStore;
  let accounts: AggregateRepository<Account>;

  before(async () => {
    store = await connectStore('agg_update');
    // A second store on the same schema: its own pool, as a second process would have.
    second = await connectStore('unused', { schema: store.schema });
    accounts = store.aggregateRepository(Account);
  });
  after(async () => {
    await second?.close();
    await disposeStore(store);
  });

  async function opened(): Promise<string> {
    const id = randomUUID();
    const account = accounts.create(id);
    account.open('ada', 0);
    await accounts.save(account);
    return id;
  }

  it('lets 8 concurrent updates of one aggregate, from two pools, all succeed with the default options', async () => {
    const id = await opened();
    const writers = 8;
    // Every writer's first attempt loads before any of them saves: seven conflicts are certain.
    const allLoaded = barrier(writers);
    let attempts = 0;
    const results = await Promise.all(Array.from({ length: writers }, (_, w) => {
      const repository = (w % 2 === 0 ? store : second).aggregateRepository(Account);
      let first = true;
      return repository.update(id, async (a) => {
        attempts++;
        if (first) {
          first = false;
          await allLoaded.arrive();
        }
        a.deposit(1);
      });
    }));
    expect(attempts).to.be.at.least(writers + writers - 1);
    expect(results.map((a) => a.version).sort((a, b) => a - b)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await accounts.load(id)).to.include({ version: 9, balance: 8 });
    expect(DEFAULT_UPDATE_RETRIES).to.be.at.least(writers - 1);
  });

  it('throws ConcurrencyRetriesExhaustedError naming the attempts, with the last WrongExpectedVersionError as cause', async () => {
    const id = await opened();
    let attempts = 0;
    const error = await caught(accounts.update(id, async (a) => {
      attempts++;
      // Another writer gets in between every load and save.
      const rival = await accounts.load(id);
      rival.deposit(100);
      await accounts.save(rival);
      a.deposit(1);
    }, { retries: 2, retryDelayMs: 0 }));
    expect(error).to.be.instanceOf(ConcurrencyRetriesExhaustedError);
    expect(error).to.include({ code: 'concurrency_retries_exhausted', attempts: 3, streamId: accounts.streamId(id) });
    expect(error.message).to.contain('after 3 attempts').and.to.contain(JSON.stringify(accounts.streamId(id)));
    expect(error.cause).to.be.instanceOf(WrongExpectedVersionError);
    expect(error.cause).to.include({ expectedVersion: 3, actualVersion: 4 });
    expect(attempts).to.equal(3);
    // The rivals' three deposits are stored, none of the update's.
    expect(await accounts.load(id)).to.include({ version: 4, balance: 300 });
  });

  it('throws StreamNotFoundError for an id without a stream, before fn runs, and writes nothing', async () => {
    const id = randomUUID();
    const before = await tableCounts(store.schema);
    let called = false;
    const error = await caught(accounts.update(id, (a) => {
      called = true;
      a.open('ada', 1);
    }));
    expect(error).to.be.instanceOf(StreamNotFoundError);
    expect(error.streamId).to.equal(accounts.streamId(id));
    expect(called).to.equal(false);
    expect(await tableCounts(store.schema)).to.deep.equal(before);
  });

  it('creates the aggregate with { createIfMissing: true }', async () => {
    const id = randomUUID();
    const account = await accounts.update(id, (a) => a.open('ada', 7), { createIfMissing: true });
    expect(account).to.include({ id, version: 1, balance: 7 });
    expect(await accounts.load(id)).to.include({ version: 1, balance: 7 });
  });

  it('refuses bad retry options and createIfMissing', async () => {
    const id = await opened();
    expect(await caught(accounts.update(id, () => undefined, { retryDelayMs: -1 }))).to.be.instanceOf(InvalidArgumentError).with.property('argument', 'options.retryDelayMs');
    expect(await caught(accounts.update(id, () => undefined, { createIfMissing: 'yes' as never }))).to.be.instanceOf(InvalidArgumentError)
      .with.property('argument', 'options.createIfMissing');
  });
});
