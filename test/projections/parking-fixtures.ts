/**
 * A projection that parks its poison events, for the parking specs and the
 * `replay-parked` CLI module. Which amounts are poison is process-wide
 * state the tests set (the CLI runs in-process and builds the class itself).
 */
import { DomainEvent, Handles, Projection, ProjectionContext, ProjectionResetContext } from '../../src';
import { AccountBalance } from './fixtures';

@DomainEvent('ProjSpecParkCredit')
export class ParkCredit {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** A poison event's error carries a code. */
export class PoisonError extends Error {
  readonly code = 'E_POISON';
}

@Projection('spec-parking-credits', { batchSize: 20, maxAttempts: 2, poisonEvents: 'park' })
export class ParkingCredits {
  /** Amounts whose credit throws. */
  static poison = new Set<number>();
  /** Amounts applied (committed or not), in order. */
  static applied: number[] = [];

  @Handles(ParkCredit)
  async credit(e: ParkCredit, { em }: ProjectionContext): Promise<void> {
    ParkingCredits.applied.push(e.amount);
    const account = await em.findOne(AccountBalance, { accountId: e.accountId });
    if (account) {
      account.balance += e.amount;
      account.events++;
    } else {
      em.persist(new AccountBalance(e.accountId, 'parking', e.amount));
    }
    if (ParkingCredits.poison.has(e.amount)) throw new PoisonError(`no credit of ${e.amount}`);
  }

  async reset({ em }: ProjectionResetContext): Promise<void> {
    await em.nativeDelete(AccountBalance, {});
  }
}
