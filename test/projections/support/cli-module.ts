/** A module for `mikro-orm-eventstore rebuild --module`: the application's projections and read-model entities. */
import { AccountBalances, AppliedLog, READ_MODEL_ENTITIES } from '../fixtures';

export const projections = [AccountBalances, new AppliedLog({ appliedBy: 'cli' })];
export const entities = READ_MODEL_ENTITIES;
