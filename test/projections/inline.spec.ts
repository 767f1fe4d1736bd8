import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { expect } from 'chai';
import {
  Aggregate,
  AggregateRoot,
  Apply,
  EventSerializer,
  EventStore,
  ExpectedVersion,
  Handles,
  Projection,
  ProjectionBusyError,
  ProjectionContext,
  ProjectionResetContext,
  ProjectionRunner,
  RebuildProgress,
  RecordedEvent,
} from '../../src';
import { caught, disposeStore, withClient } from '../support/stores';
import { AccountOpened, Deposited } from './fixtures';
import { Gate, projectionStore, rows, sleep, waitUntil } from './helpers';

@Entity({ tableName: 'proj_inline_accounts' })
class InlineAccount {
  @PrimaryKey({ type: 'text' }) accountId: string;
  @Property({ type: 'integer' }) balance: number;

  constructor(accountId: string, balance: number) {
    this.accountId = accountId;
    this.balance = balance;
  }
}

@Projection('spec-inline-accounts', { inline: true, batchSize: 3 })
class InlineAccounts {
  readonly seen: RecordedEvent[] = [];
  /** A deposit of this amount is refused by the handler. */
  refuse?: number;
  /** The handler of this deposit waits at the gate. */
  gateAt?: { amount: number; gate: Gate };

  @Handles(AccountOpened)
  opened(e: AccountOpened, { em, event }: ProjectionContext): void {
    this.seen.push(event);
    em.persist(new InlineAccount(e.accountId, e.balance));
  }

  @Handles(Deposited)
  async deposited(e: Deposited, { em, event }: ProjectionContext): Promise<void> {
    this.seen.push(event);
    if (e.amount === this.refuse) throw new Error(`deposit of ${e.amount} refused`);
    if (this.gateAt?.amount === e.amount) await this.gateAt.gate.pass();
    const account = await em.findOneOrFail(InlineAccount, { accountId: e.accountId });
    account.balance += e.amount;
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(InlineAccount, {});
  }
}

@Aggregate('ProjSpecAccount')
class Account extends AggregateRoot {
  balance = 0;

  open(balance: number): void {
    this.raise(new AccountOpened(this.id, 'aggregate', balance));
  }

  deposit(amount: number): void {
    this.raise(new Deposited(this.id, amount));
  }

  @Apply(AccountOpened) protected opened(e: AccountOpened): void {
    this.balance = e.balance;
  }

  @Apply(Deposited) protected deposited(e: Deposited): void {
    this.balance += e.amount;
  }
}

const serializer = new EventSerializer();

async function accounts(schema: string): Promise<Array<{ account_id: string; balance: number }>> {
  return rows(schema, 'proj_inline_accounts', 'account_id');
}

describe('projections: inline', () => {
  let store: EventStore;
  let runner: ProjectionRunner;
  let projection: InlineAccounts;

  beforeEach(async () => {
    store = await projectionStore('proj_inline', {}, [InlineAccount]);
    projection = new InlineAccounts();
    runner = store.projections([projection]);
    await runner.start();
  });
  afterEach(async () => {
    await runner.stop();
    await disposeStore(store);
  });

  it('updates the read model in the transaction of the append: the caller reads its writes before it commits', async () => {
    await store.orm.em.fork().transactional(async (em) => {
      await store.appendToStream('acc-1', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('acc-1', 'Ada', 10), new Deposited('acc-1', 5)]), { em });
      expect(await em.findOne(InlineAccount, { accountId: 'acc-1' })).to.include({ balance: 15 });
      expect(await accounts(store.schema), 'not visible outside before the commit').to.deep.equal([]);
    });
    expect(await accounts(store.schema)).to.deep.equal([{ account_id: 'acc-1', balance: 15 }]);
    await waitUntil(async () => (await store.readAllForward()).length === 2, 'the events have positions');
  });

  it('without a caller transaction, commits the append and the read model together; the events are in $all when it returns', async () => {
    const result = await store.appendToStream('acc-2', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('acc-2', 'Bob', 3)]));
    expect(await accounts(store.schema)).to.deep.equal([{ account_id: 'acc-2', balance: 3 }]);
    expect((await store.readAllForward()).map((e) => e.position)).to.deep.equal([1]);
    expect(result).to.deep.equal({ streamVersion: 1, position: 1 });
  });

  it('gives handlers the events as they are stored, without $all positions yet', async () => {
    await store.appendToStream('acc-3', ExpectedVersion.NoStream, [
      ...serializer.serializeAll([new AccountOpened('acc-3', 'Cy', 1)], { metadata: { user: 'u1' } }),
      { ...serializer.serialize(new Deposited('acc-3', 2)), eventId: '0190d3c0-0000-7000-8000-000000000001' },
    ]);
    const stored = await store.readStreamForward('acc-3');
    expect(projection.seen.map((e) => e.position)).to.deep.equal([0, 0]);
    expect(projection.seen.map(({ position: _p, createdAt: _c, ...rest }) => rest))
      .to.deep.equal(stored.map(({ position: _p, createdAt: _c, ...rest }) => rest));
    expect(projection.seen[1].eventId).to.equal('0190d3c0-0000-7000-8000-000000000001');
  });

  it('undoes the append when a handler throws; the error reaches the caller, whose transaction stays usable', async () => {
    await store.appendToStream('acc-4', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('acc-4', 'Di', 0)]));
    projection.refuse = 13;
    await store.orm.em.fork().transactional(async (em) => {
      const error = await caught(store.appendToStream('acc-4', 1, serializer.serializeAll([new Deposited('acc-4', 13)]), { em }));
      expect(error.message).to.equal('deposit of 13 refused');
      await store.appendToStream('acc-4', 1, serializer.serializeAll([new Deposited('acc-4', 7)]), { em });
    });
    expect((await store.readStreamForward('acc-4')).map((e) => (e.data as { amount?: number }).amount)).to.deep.equal([undefined, 7]);
    expect(await accounts(store.schema)).to.deep.equal([{ account_id: 'acc-4', balance: 7 }]);

    // Outside a caller's transaction: nothing is written.
    expect((await caught(store.appendToStream('acc-4', 2, serializer.serializeAll([new Deposited('acc-4', 13)])))).message).to.equal('deposit of 13 refused');
    expect((await store.streamInfo('acc-4')).streamVersion).to.equal(2);
  });

  it('rolls back with the caller', async () => {
    const error = await caught(store.orm.em.fork().transactional(async (em) => {
      await store.appendToStream('acc-5', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('acc-5', 'Ed', 1)]), { em });
      throw new Error('the caller changed its mind');
    }));
    expect(error.message).to.equal('the caller changed its mind');
    expect(await accounts(store.schema)).to.deep.equal([]);
    expect(await caught(store.streamInfo('acc-5'))).to.have.property('code', 'stream_not_found');
  });

  it('is applied by AggregateRepository.save, in the caller transaction or not', async () => {
    const repository = store.aggregateRepository(Account);
    const account = repository.create('agg-1');
    account.open(100);
    await repository.save(account);
    await store.orm.em.fork().transactional(async (em) => {
      const loaded = await repository.load('agg-1');
      loaded.deposit(20);
      await repository.save(loaded, { em });
      expect(await em.findOne(InlineAccount, { accountId: 'agg-1' })).to.include({ balance: 120 });
    });
    expect(await accounts(store.schema)).to.deep.equal([{ account_id: 'agg-1', balance: 120 }]);
  });

  it('reports an inline state without checkpoint or lag, and stops applying when the runner stops', async () => {
    expect(await runner.status('spec-inline-accounts')).to.deep.equal({ name: 'spec-inline-accounts', state: 'inline', checkpoint: null, lag: 0, owner: null, parked: 0 });
    await runner.stop();
    expect((await runner.status('spec-inline-accounts')).state).to.equal('stopped');
    await store.appendToStream('acc-6', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('acc-6', 'Fay', 1)]));
    expect(await accounts(store.schema)).to.deep.equal([]);
    expect(await runner.lag('spec-inline-accounts')).to.equal(0);
  });

  describe('rebuild', () => {
    it('resets and replays $all in one transaction, holding back the appends that apply the projection meanwhile', async () => {
      for (let i = 0; i < 4; i++) {
        await store.appendToStream(`r-${i}`, ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened(`r-${i}`, 'R', i), new Deposited(`r-${i}`, 10)]));
      }
      await runner.stop();
      // Appended while nobody applied it: only a rebuild brings these in.
      await store.appendToStream('r-0', 2, serializer.serializeAll([new Deposited('r-0', 100)]));
      await withClient((c) => c.query(`update "${store.schema}".proj_inline_accounts set balance = -1`));
      await runner.start();

      const gate = new Gate();
      projection.gateAt = { amount: 100, gate };
      const progress: RebuildProgress[] = [];
      const rebuilding = runner.rebuild('spec-inline-accounts', { onProgress: (p) => progress.push({ ...p }) });
      await waitUntil(() => gate.reached, 'the rebuild is replaying');
      let appended = false;
      const appending = store.appendToStream('r-1', 2, serializer.serializeAll([new Deposited('r-1', 1000)])).then(() => (appended = true));
      // Not applying the projection, this append is not held back.
      await store.appendToStream('notes', ExpectedVersion.Any, [{ eventType: 'ProjSpecUnrelated', data: {} }]);
      await sleep(100);
      expect(appended, 'the append that applies the projection waits').to.equal(false);
      expect(await accounts(store.schema), 'the old read model is there until the rebuild commits').to.have.length(4);
      gate.release();

      const result = await rebuilding;
      await appending;
      // $all as it was when the replay began; the held-back deposit was applied by its own append, after the rebuild.
      expect(result).to.include({ projection: 'spec-inline-accounts', events: 9, position: 9 });
      expect(progress.map((p) => p.done)).to.deep.equal([0, 3, 6, 9]);
      expect(await accounts(store.schema)).to.deep.equal([
        { account_id: 'r-0', balance: 110 }, { account_id: 'r-1', balance: 1011 }, { account_id: 'r-2', balance: 12 }, { account_id: 'r-3', balance: 13 },
      ]);
    });

    it('gives up with ProjectionBusyError when an append applying it does not finish in time', async () => {
      await store.appendToStream('b-1', ExpectedVersion.NoStream, serializer.serializeAll([new AccountOpened('b-1', 'B', 1)]));
      const em = store.orm.em.fork();
      await em.begin();
      try {
        await store.appendToStream('b-1', 1, serializer.serializeAll([new Deposited('b-1', 1)]), { em });
        const error = await caught(runner.rebuild('spec-inline-accounts', { ownershipTimeoutMs: 100 }));
        expect(error).to.be.instanceOf(ProjectionBusyError);
        expect(error.message).to.match(/did not finish within 100 ms/);
      } finally {
        await em.rollback();
      }
      expect(await accounts(store.schema)).to.deep.equal([{ account_id: 'b-1', balance: 1 }]);
    });
  });
});
