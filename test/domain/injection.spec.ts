import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { container, inject, injectable } from 'tsyringe';
import { AggregateRepository, EventStore, aggregateRepositoryToken } from '../../src';
import { connectStore, disposeStore } from '../support/stores';
import { Account } from './fixtures';

/** An application service: it receives its repository and knows nothing of how it was built. */
class AccountService {
  constructor(private readonly accounts: AggregateRepository<Account>) {}

  async open(owner: string, amount: number): Promise<string> {
    const id = randomUUID();
    const account = this.accounts.create(id);
    account.open(owner, amount);
    await this.accounts.save(account);
    return id;
  }

  async deposit(id: string, amount: number): Promise<void> {
    await this.accounts.update(id, (account) => account.deposit(amount));
  }

  async balance(id: string): Promise<number> {
    return (await this.accounts.load(id)).balance;
  }
}

/** Injected by a string token. */
@injectable()
class TokenInjectedService extends AccountService {
  constructor(@inject(aggregateRepositoryToken(Account)) accounts: AggregateRepository<Account>) {
    super(accounts);
  }
}

/** A typed repository class: a class token, and the container can build it from the store. */
@injectable()
class AccountRepository extends AggregateRepository<Account> {
  constructor(store: EventStore) {
    super(store, Account);
  }
}

@injectable()
class ClassInjectedService extends AccountService {
  constructor(accounts: AccountRepository) {
    super(accounts);
  }
}

describe('injecting aggregate repositories into services', () => {
  let store: EventStore;

  before(async () => {
    store = await connectStore('injection');
  });
  after(() => disposeStore(store));

  async function exercise(service: AccountService): Promise<void> {
    const id = await service.open('ada', 10);
    await service.deposit(id, 5);
    expect(await service.balance(id)).to.equal(15);
    expect((await store.readStreamForward(`SpecAccount-${id}`)).map((e) => e.eventType)).to.deep.equal(['SpecAccountOpened', 'SpecMoneyDeposited']);
  }

  it('works with plain constructors', async () => {
    await exercise(new AccountService(store.aggregateRepository(Account)));
    await exercise(new AccountService(new AggregateRepository(store, Account)));
  });

  it('gives a string token per aggregate for containers', () => {
    expect(aggregateRepositoryToken(Account)).to.equal('AggregateRepository<SpecAccount>');
  });

  describe('with tsyringe', () => {
    it('injects a repository registered as a value under its token', async () => {
      const scope = container.createChildContainer();
      scope.register(aggregateRepositoryToken(Account), { useValue: store.aggregateRepository(Account) });
      await exercise(scope.resolve(TokenInjectedService));
    });

    it('builds a typed repository class from the registered store and injects it', async () => {
      const scope = container.createChildContainer();
      scope.register(EventStore, { useValue: store });
      const service = scope.resolve(ClassInjectedService);
      await exercise(service);
      expect(scope.resolve(AccountRepository)).to.be.instanceOf(AggregateRepository);
    });

    it('injects a typed repository class registered with useValue', async () => {
      const scope = container.createChildContainer();
      const repository = new AccountRepository(store);
      scope.register(AccountRepository, { useValue: repository });
      const service = scope.resolve(ClassInjectedService);
      expect((service as unknown as { accounts: unknown }).accounts).to.equal(repository);
      await exercise(service);
    });
  });
});
