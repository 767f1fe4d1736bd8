import { expect } from 'chai';
import {
  Aggregate,
  AggregateIdNotSetError,
  AggregateRoot,
  Apply,
  DomainEvent,
  DuplicateAggregateError,
  EventClassNotRegisteredError,
  InvalidArgumentError,
  MissingApplyHandlerError,
} from '../../src';
import { Account, AccountOpened, MoneyDeposited, MoneyWithdrawn, PlainNote } from './fixtures';
import { caughtSync } from './helpers';

@DomainEvent('SpecLimitRaised')
class LimitRaised {
  constructor(readonly limit: number) {}
}

/** Inherits the account's handlers and adds one. */
@Aggregate('SpecCreditAccount')
class CreditAccount extends Account {
  limit = 0;

  raiseLimit(limit: number): void {
    this.raise(new LimitRaised(limit));
  }

  @Apply(LimitRaised) limitRaised(e: LimitRaised): void {
    this.limit = e.limit;
  }
}

@DomainEvent('SpecExploded')
class Exploded {}

@Aggregate('SpecFragile')
class Fragile extends AggregateRoot {
  explode(): void {
    this.raise(new Exploded());
  }

  @Apply(Exploded) exploded(): void {
    throw new Error('handler failed');
  }
}

describe('AggregateRoot', () => {
  it('applies a raised event at once and keeps it as uncommitted, counting the version', () => {
    const account = new Account('a-1');
    account.open('ada', 100);
    account.deposit(5);
    expect(account.balance).to.equal(105);
    expect(account.version).to.equal(2);
    expect(account.uncommittedEvents).to.have.length(2);
    expect(account.uncommittedEvents[0]).to.be.instanceOf(AccountOpened);
    expect(account.uncommittedEvents[1]).to.deep.equal(new MoneyDeposited(5));
  });

  it('refuses, when raised, an event that the aggregate has no @Apply handler for, and changes nothing', () => {
    const account = new Account('a-2');
    account.open('ada', 100);
    const error = caughtSync(() => account.audit('eve'));
    expect(error).to.be.instanceOf(MissingApplyHandlerError);
    expect(error).to.include({ code: 'missing_apply_handler', aggregateName: 'SpecAccount', eventType: 'SpecAccountAudited' });
    expect(account.version).to.equal(1);
    expect(account.uncommittedEvents).to.have.length(1);
  });

  it('refuses an event of an undecorated class, and what is not an object', () => {
    const account = new Account('a-3');
    expect(caughtSync(() => account.note('hello'))).to.be.instanceOf(EventClassNotRegisteredError).and.include({ className: 'PlainNote' });
    for (const bad of [null, undefined, 3, 'x', []]) {
      expect(caughtSync(() => account.raiseAnything(bad))).to.be.instanceOf(InvalidArgumentError);
    }
    expect(account.version).to.equal(0);
  });

  it('does not record an event whose handler throws', () => {
    const fragile = new Fragile('f-1');
    expect(caughtSync(() => fragile.explode()).message).to.equal('handler failed');
    expect(fragile.version).to.equal(0);
    expect(fragile.uncommittedEvents).to.have.length(0);
  });

  it('uses the handlers of its base classes', () => {
    const credit = new CreditAccount('c-1');
    credit.open('bob', 10);
    credit.raiseLimit(500);
    credit.withdraw(3);
    expect(credit).to.include({ balance: 7, limit: 500, version: 3 });
    // The base class does not gain the subclass's handler.
    expect(caughtSync(() => new Account('a-4').raiseAnything(new LimitRaised(1)))).to.be.instanceOf(MissingApplyHandlerError);
  });

  it('keeps its id, version and uncommitted events out of its own enumerable fields', () => {
    const account = new Account('a-5');
    account.open('ada', 1);
    expect(Object.keys(account).sort()).to.deep.equal(['applied', 'balance', 'owner']);
  });

  describe('id', () => {
    it('is the id given to the constructor', () => {
      expect(new Account('a-6').id).to.equal('a-6');
    });

    it('is an AggregateIdNotSetError before the aggregate has one', () => {
      const error = caughtSync(() => new Account().id);
      expect(error).to.be.instanceOf(AggregateIdNotSetError);
      expect(error).to.include({ code: 'aggregate_id_not_set', aggregateName: 'SpecAccount' });
    });

    it('must be a non-empty string', () => {
      for (const bad of ['', 5, null, 'a\u0000b']) {
        expect(caughtSync(() => new Account(bad as string))).to.be.instanceOf(InvalidArgumentError).and.include({ argument: 'id' });
      }
    });
  });

  describe('@Aggregate', () => {
    it('refuses a second class under a registered name', () => {
      const error = caughtSync(() => Aggregate('SpecAccount')(class Other extends AggregateRoot {}));
      expect(error).to.be.instanceOf(DuplicateAggregateError).and.include({ code: 'duplicate_aggregate', aggregateName: 'SpecAccount' });
    });

    it('refuses a class that does not extend AggregateRoot', () => {
      expect(caughtSync(() => Aggregate('SpecNotRoot')(class NotRoot {}))).to.be.instanceOf(InvalidArgumentError);
    });

    it('refuses an @Apply of an undecorated event class when the aggregate is declared', () => {
      class Sloppy extends AggregateRoot {
        noted(): void {}
      }
      Apply(PlainNote)(Sloppy.prototype, 'noted', Object.getOwnPropertyDescriptor(Sloppy.prototype, 'noted')!);
      const error = caughtSync(() => Aggregate('SpecSloppy')(Sloppy));
      expect(error).to.be.instanceOf(EventClassNotRegisteredError).and.include({ className: 'PlainNote' });
    });

    it('refuses bad names and options', () => {
      const cases: Array<[() => unknown, string]> = [
        [() => Aggregate(''), '@Aggregate name'],
        [() => Aggregate('$system'), '@Aggregate name'],
        [() => Aggregate(3 as never), '@Aggregate name'],
        [() => Aggregate('SpecX', null as never), '@Aggregate options'],
        [() => Aggregate('SpecX', { snapshotEvery: 0 }), '@Aggregate snapshotEvery'],
        [() => Aggregate('SpecX', { snapshotEvery: 2.5 }), '@Aggregate snapshotEvery'],
        [() => Aggregate('SpecX', { snapshotVersion: 0 }), '@Aggregate snapshotVersion'],
        [() => Aggregate('SpecX', { streamId: 'x' as never }), '@Aggregate streamId'],
      ];
      for (const [declare, argument] of cases) {
        expect(caughtSync(declare), argument).to.be.instanceOf(InvalidArgumentError).and.include({ argument });
      }
    });
  });

  describe('@Apply', () => {
    it('refuses what is not a class (an event class used before it is defined)', () => {
      expect(caughtSync(() => Apply(undefined as never))).to.be.instanceOf(InvalidArgumentError).and.include({ argument: '@Apply' });
    });

    it('refuses a second handler for one event class in one aggregate', () => {
      class Twice extends AggregateRoot {
        one(): void {}
        two(): void {}
      }
      const descriptor = (name: string) => Object.getOwnPropertyDescriptor(Twice.prototype, name)!;
      Apply(MoneyWithdrawn)(Twice.prototype, 'one', descriptor('one'));
      expect(caughtSync(() => Apply(MoneyWithdrawn)(Twice.prototype, 'two', descriptor('two')))).to.be.instanceOf(InvalidArgumentError);
    });
  });
});
