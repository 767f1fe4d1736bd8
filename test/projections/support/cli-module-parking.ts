/** A module for `mikro-orm-eventstore replay-parked --module`: a projection that parks its poison events. */
import { READ_MODEL_ENTITIES } from '../fixtures';
import { ParkingCredits } from '../parking-fixtures';

export const projections = [ParkingCredits];
export const entities = READ_MODEL_ENTITIES;
