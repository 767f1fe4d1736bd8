import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  Aggregate,
  AggregateIdNotSetError,
  AggregateNotRegisteredError,
  AggregateRepository,
  AggregateRoot,
  Apply,
  ConcurrencyRetriesExhaustedError,
  DomainEvent,
  EventStore,
  InvalidArgumentError,
  MissingApplyHandlerError,
  StreamDeletedError,
  UnknownEventTypeError,
  WrongExpectedVersionError,
} from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';
import { Account, AccountOpened, PlainNote } from './fixtures';
import { barrier } from './helpers';

@DomainEvent('SpecTenantAccountOpened')
class TenantAccountOpened {
  constructor(readonly owner: string) {}
}

/** Lives in streams named by its own rule. */
@Aggregate('SpecTenantAccount', { streamId: (id) => `tenant-7/account/${id}` })
class TenantAccount extends AggregateRoot {
  owner = '';

  open(owner: string): void {
    this.raise(new TenantAccountOpened(owner));
  }

  @Apply(TenantAccountOpened) opened(e: TenantAccountOpened): void {
    this.owner = e.owner;
  }
}

@DomainEvent('SpecRawBigIntDeposited')
class RawBigIntDeposited {
  constructor(readonly amount: bigint) {}
}

/** Raises an event that cannot be stored (a bigint without @BigIntField). */
@Aggregate('SpecUnstorable')
class Unstorable extends AggregateRoot {
  total = 0n;

  deposit(amount: bigint): void {
    this.raise(new RawBigIntDeposited(amount));
  }

  @Apply(RawBigIntDeposited) deposited(e: RawBigIntDeposited): void {
    this.total += e.amount;
  }
}

class NotAnAggregate extends AggregateRoot {}

// The documented usage, written out (with a type name of this spec).
@DomainEvent('SpecBankAccountOpened')
class BankAccountOpened { constructor(readonly accountId: string, readonly balance: number) {} }

@DomainEvent('SpecBankAccountCredited')
class BankAccountCredited { constructor(readonly amount: number) {} }

@Aggregate('SpecBankAccount')
class BankAccount extends AggregateRoot {
  balance = 0;
  open(id: string, amount: number) { this.raise(new BankAccountOpened(id, amount)); }
  deposit(amount: number) { this.raise(new BankAccountCredited(amount)); }
  @Apply(BankAccountOpened) opened(e: BankAccountOpened) { this.balance = e.balance; }
  @Apply(BankAccountCredited) credited(e: BankAccountCredited) { this.balance += e.amount; }
}

describe('AggregateRepository', () => {
  let store: EventStore;
  let accounts: AggregateRepository<Account>;
  const newId = () => randomUUID();

  before(async () => {
    store = await connectStore('aggregates');
    accounts = store.aggregateRepository(Account);
  });
  after(() => disposeStore(store));

  /** An account opened with `balance` and saved. */
  async function savedAccount(balance = 100): Promise<string> {
    const id = newId();
    const account = accounts.create(id);
    account.open('ada', balance);
    await accounts.save(account);
    return id;
  }

  it('supports the usage shown in the design', async () => {
    const id = newId();
    const bankAccounts = store.aggregateRepository(BankAccount);
    const created = await bankAccounts.load(id);
    created.open(id, 100);
    await bankAccounts.save(created);

    const account = await bankAccounts.load(id);
    account.deposit(10);
    await bankAccounts.save(account);
    expect(await bankAccounts.load(id)).to.include({ id, version: 2, balance: 110 });
  });

  describe('load', () => {
    it('gives a new instance at version 0 for an unknown id, and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const id = newId();
      const account = await accounts.load(id);
      expect(account).to.be.instanceOf(Account);
      expect(account).to.include({ id, version: 0, balance: 0 });
      expect(account.uncommittedEvents).to.have.length(0);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it('replays the stream onto a new instance that already has its id', async () => {
      const id = await savedAccount(100);
      await accounts.update(id, (a) => a.deposit(20));
      const account = await accounts.load(id);
      expect(account).to.include({ id, version: 2, balance: 120, owner: 'ada', applied: 2 });
      expect(account.uncommittedEvents).to.have.length(0);
    });

    it('reads long streams page by page', async () => {
      const id = await savedAccount(0);
      await accounts.update(id, (a) => {
        for (let i = 1; i <= 6; i++) a.deposit(i);
      });
      const paged = new AggregateRepository(store, Account, { batchSize: 2 });
      expect(await paged.load(id)).to.include({ version: 7, balance: 21 });
    });

    it('refuses a stored event that the aggregate has no handler for', async () => {
      const id = await savedAccount();
      await store.appendToStream(accounts.streamId(id), 1, [{ eventType: 'SpecAccountAudited', data: { auditor: 'eve' } }]);
      expect(await caught(accounts.load(id))).to.be.instanceOf(MissingApplyHandlerError);
    });

    it('refuses an event of an unknown type, or in raw mode counts it in the version without applying it', async () => {
      const id = await savedAccount(100);
      await store.appendToStream(accounts.streamId(id), 1, [{ eventType: 'SpecFromAnotherSystem', data: {} }]);
      const error = await caught(accounts.load(id));
      expect(error).to.be.instanceOf(UnknownEventTypeError).and.include({ eventType: 'SpecFromAnotherSystem' });

      const tolerant = store.aggregateRepository(Account, { unknownEventType: 'raw' });
      const account = await tolerant.load(id);
      expect(account).to.include({ version: 2, balance: 100 });
      account.deposit(1);
      await tolerant.save(account);
      expect((await store.streamInfo(accounts.streamId(id))).streamVersion).to.equal(3);
    });

    it('refuses a soft-deleted aggregate with StreamDeletedError', async () => {
      const id = await savedAccount();
      await store.deleteStream(accounts.streamId(id), 1);
      expect(await caught(accounts.load(id))).to.be.instanceOf(StreamDeletedError);
    });
  });

  describe('save', () => {
    it('appends the uncommitted events to <AggregateName>-<id>, then has none left', async () => {
      const id = newId();
      const account = await accounts.load(id);
      account.open('ada', 10);
      account.deposit(5);
      await accounts.save(account);

      expect(account.uncommittedEvents).to.have.length(0);
      expect(account.version).to.equal(2);
      expect(accounts.streamId(id)).to.equal(`SpecAccount-${id}`);
      const recorded = await store.readStreamForward(`SpecAccount-${id}`);
      expect(recorded.map((e) => e.eventType)).to.deep.equal(['SpecAccountOpened', 'SpecMoneyDeposited']);
      expect(recorded.map((e) => e.data)).to.deep.equal([{ owner: 'ada', balance: 10 }, { amount: 5 }]);
    });

    it('continues at the version the aggregate was loaded at, save after save', async () => {
      const id = await savedAccount(10);
      const account = await accounts.load(id);
      account.deposit(1);
      await accounts.save(account);
      account.deposit(2);
      await accounts.save(account);
      expect(account.version).to.equal(3);
      expect(await accounts.load(id)).to.include({ version: 3, balance: 13 });
    });

    it('saves an aggregate built with its id by the constructor', async () => {
      const id = newId();
      const account = new Account(id);
      account.open('grace', 3);
      await accounts.save(account);
      expect(await accounts.load(id)).to.include({ owner: 'grace', version: 1 });
    });

    it('does nothing for an aggregate without new events', async () => {
      const id = await savedAccount();
      const before = await tableCounts(store.schema);
      await accounts.save(await accounts.load(id));
      await accounts.save(accounts.create(newId()));
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it('uses the stream named by the aggregate’s own rule', async () => {
      const tenants = store.aggregateRepository(TenantAccount);
      const id = newId();
      const account = tenants.create(id);
      account.open('lin');
      await tenants.save(account);
      expect(tenants.streamId(id)).to.equal(`tenant-7/account/${id}`);
      expect((await store.readStreamForward(`tenant-7/account/${id}`)).map((e) => e.eventType)).to.deep.equal(['SpecTenantAccountOpened']);
      expect(await tenants.load(id)).to.include({ owner: 'lin', version: 1 });
    });

    it('carries metadata, causation and correlation ids onto every event', async () => {
      const id = newId();
      const causationId = randomUUID();
      const correlationId = randomUUID();
      const account = accounts.create(id);
      account.open('ada', 1);
      account.deposit(2);
      await accounts.save(account, { metadata: { userId: 'u-9', ip: '10.0.0.1' }, causationId, correlationId });
      const recorded = await store.readStreamForward(accounts.streamId(id));
      for (const event of recorded) {
        expect(event).to.include({ causationId, correlationId });
        expect(event.metadata).to.deep.equal({ userId: 'u-9', ip: '10.0.0.1', schemaVersion: 1 });
      }
    });

    describe('optimistic concurrency', () => {
      it('refuses a stale aggregate with WrongExpectedVersionError and writes nothing', async () => {
        const id = await savedAccount(100);
        const first = await accounts.load(id);
        const second = await accounts.load(id);
        first.deposit(1);
        await accounts.save(first);

        second.withdraw(50);
        second.deposit(7);
        const before = await tableCounts(store.schema);
        const error = await caught(accounts.save(second));
        expect(error).to.be.instanceOf(WrongExpectedVersionError);
        expect(error).to.include({ streamId: accounts.streamId(id), expectedVersion: 1, actualVersion: 2 });
        expect(await tableCounts(store.schema)).to.deep.equal(before);
        expect(second.uncommittedEvents).to.have.length(2);
        expect(await accounts.load(id)).to.include({ version: 2, balance: 101 });
      });

      it('refuses a new aggregate whose stream already exists', async () => {
        const id = await savedAccount(100);
        const duplicate = accounts.create(id);
        duplicate.open('mallory', 1);
        const error = await caught(accounts.save(duplicate));
        expect(error).to.be.instanceOf(WrongExpectedVersionError).and.include({ expectedVersion: 0, actualVersion: 1 });
        expect(await accounts.load(id)).to.include({ owner: 'ada', version: 1 });
      });
    });

    describe('in the caller’s transaction', () => {
      it('writes nothing when the transaction rolls back', async () => {
        const id = newId();
        const account = accounts.create(id);
        account.open('ada', 5);
        const before = await tableCounts(store.schema);
        const error = await caught(store.orm.em.fork().transactional(async (em) => {
          await accounts.save(account, { em });
          throw new Error('business rule failed after the save');
        }));
        expect(error.message).to.equal('business rule failed after the save');
        expect(await tableCounts(store.schema)).to.deep.equal(before);
        expect(await accounts.load(id)).to.include({ version: 0 });
      });

      it('is visible once the transaction commits', async () => {
        const id = newId();
        const account = accounts.create(id);
        account.open('ada', 5);
        await store.orm.em.fork().transactional(async (em) => {
          await accounts.save(account, { em });
          // Not committed yet: another connection sees nothing.
          expect(await accounts.load(id)).to.include({ version: 0 });
        });
        expect(await accounts.load(id)).to.include({ version: 1, balance: 5 });
      });
    });
  });

  describe('update', () => {
    it('loads, changes and saves, and returns the saved aggregate', async () => {
      const id = newId();
      const opened = await accounts.update(id, (a) => a.open('ada', 50), { createIfMissing: true });
      expect(opened).to.include({ id, version: 1, balance: 50 });
      expect(opened.uncommittedEvents).to.have.length(0);
      const updated = await accounts.update(id, async (a) => {
        await Promise.resolve();
        a.withdraw(20);
      }, { metadata: { reason: 'rent' } });
      expect(updated).to.include({ version: 2, balance: 30 });
      const [, withdrawn] = await store.readStreamForward(accounts.streamId(id));
      expect(withdrawn.metadata).to.deep.include({ reason: 'rent' });
    });

    it('lets concurrent updates of one aggregate all succeed by retrying on version conflicts', async () => {
      const id = await savedAccount(0);
      const writers = 5;
      // Every writer's first attempt loads before any of them saves: four conflicts are certain.
      const allLoaded = barrier(writers);
      let attempts = 0;
      const results = await Promise.all(Array.from({ length: writers }, (_, w) => {
        let first = true;
        return accounts.update(id, async (a) => {
          attempts++;
          if (first) {
            first = false;
            await allLoaded.arrive();
          }
          a.deposit(10 ** w);
        }, { retries: 10 });
      }));

      expect(attempts).to.be.at.least(writers + writers - 1);
      expect(results.map((a) => a.version).sort()).to.deep.equal([2, 3, 4, 5, 6]);
      const account = await accounts.load(id);
      expect(account).to.include({ version: 6, balance: 11111 });
      const recorded = await store.readStreamForward(accounts.streamId(id));
      expect(recorded.map((e) => e.streamVersion)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    });

    it('gives up with ConcurrencyRetriesExhaustedError, the last conflict as its cause, when the retries run out', async () => {
      const id = await savedAccount(0);
      const bothLoaded = barrier(2);
      const outcomes = await Promise.allSettled([1, 2].map(() => accounts.update(id, async (a) => {
        await bothLoaded.arrive();
        a.deposit(1);
      }, { retries: 0 })));
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).to.have.length(1);
      expect(failed[0].reason).to.be.instanceOf(ConcurrencyRetriesExhaustedError);
      expect(failed[0].reason).to.include({ code: 'concurrency_retries_exhausted', attempts: 1, streamId: accounts.streamId(id) });
      expect(failed[0].reason.cause).to.be.instanceOf(WrongExpectedVersionError);
      expect(await accounts.load(id)).to.include({ version: 2, balance: 1 });
    });

    it('does not retry an error of the change itself', async () => {
      const id = await savedAccount(5);
      let attempts = 0;
      const error = await caught(accounts.update(id, (a) => {
        attempts++;
        a.withdraw(1000);
      }, { retries: 5 }));
      expect(error.message).to.equal('insufficient funds');
      expect(attempts).to.equal(1);
    });

    it('does not retry a save error other than a version conflict', async () => {
      const unstorable = store.aggregateRepository(Unstorable);
      const before = await tableCounts(store.schema);
      let attempts = 0;
      const error = await caught(unstorable.update(newId(), (a) => {
        attempts++;
        a.deposit(5n);
      }, { retries: 5, createIfMissing: true }));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(attempts).to.equal(1);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });
  });

  describe('bad input', () => {
    it('refuses to save what is not an aggregate of its class, and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const tenant = new TenantAccount('t-1');
      tenant.open('x');
      for (const bad of [null, undefined, {}, 'account', new AccountOpened('a', 1), tenant]) {
        const error = await caught(accounts.save(bad as Account));
        expect(error).to.be.instanceOf(InvalidArgumentError).and.include({ argument: 'aggregate' });
      }
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it('refuses to save an aggregate without an id', async () => {
      const account = new Account();
      account.open('ada', 1);
      expect(await caught(accounts.save(account))).to.be.instanceOf(AggregateIdNotSetError);
    });

    it('refuses bad ids', async () => {
      for (const bad of ['', 42, null, undefined, { id: 'x' }, 'a\u0000b']) {
        expect(await caught(accounts.load(bad as string))).to.be.instanceOf(InvalidArgumentError).and.include({ argument: 'id' });
        expect(await caught(() => accounts.create(bad as string))).to.be.instanceOf(InvalidArgumentError);
        expect(await caught(accounts.update(bad as string, () => undefined))).to.be.instanceOf(InvalidArgumentError);
      }
    });

    it('refuses bad save and update options, and writes nothing', async () => {
      const account = accounts.create(newId());
      account.open('ada', 1);
      const before = await tableCounts(store.schema);
      const cases: Array<[object, string]> = [
        [{ metadata: 'x' }, 'options.metadata'],
        [{ metadata: [1] }, 'options.metadata'],
        [{ causationId: 'not-a-uuid' }, 'options.causationId'],
        [{ correlationId: 7 }, 'options.correlationId'],
        [{ em: {} }, 'options.em'],
      ];
      for (const [options, argument] of cases) {
        expect(await caught(accounts.save(account, options as never)), argument).to.include({ code: 'invalid_argument', argument });
      }
      expect(await caught(accounts.update(account.id, () => undefined, { retries: -1 }))).to.include({ argument: 'options.retries' });
      expect(await caught(accounts.update(account.id, 'deposit' as never))).to.include({ argument: 'fn' });
      expect(await tableCounts(store.schema)).to.deep.equal(before);
      expect(account.uncommittedEvents).to.have.length(1);
    });

    it('refuses a repository of a class that is not a registered aggregate', () => {
      expect(() => store.aggregateRepository(NotAnAggregate)).to.throw(AggregateNotRegisteredError);
      expect(() => store.aggregateRepository(PlainNote as never)).to.throw(AggregateNotRegisteredError);
      expect(() => store.aggregateRepository('Account' as never)).to.throw(InvalidArgumentError);
      expect(() => new AggregateRepository({} as EventStore, Account)).to.throw(InvalidArgumentError);
      expect(() => store.aggregateRepository(Account, { batchSize: 0 })).to.throw(InvalidArgumentError);
      expect(() => store.aggregateRepository(Account, { unknownEventType: 'ignore' as never })).to.throw(InvalidArgumentError);
    });
  });
});
