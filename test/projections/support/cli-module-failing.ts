/** A module for `rebuild --module` whose projection cannot apply an event. */
import { Handles, Projection } from '../../../src';
import { Deposited, READ_MODEL_ENTITIES } from '../fixtures';

@Projection('spec-cli-failing', { maxAttempts: 1 })
class Failing {
  @Handles(Deposited)
  deposited(e: Deposited): void {
    throw new Error(`cannot apply a deposit of ${e.amount}\nsecond line`);
  }
}

export const projections = [Failing];
export const entities = READ_MODEL_ENTITIES;
