/** The growth bench's probe windows: the main bench's profile, with the levels the growth table reports. */
import type { EventIdKind } from '../fixtures';
import { Profile, profileFor } from '../profile';

export function growthProfile(quick: boolean, overrides: { reps?: number; eventIds?: EventIdKind } = {}): Profile {
  const base = profileFor(quick, { eventIds: overrides.eventIds });
  return {
    ...base,
    reps: overrides.reps ?? (quick ? 2 : 3),
    levels: [1, 10],
    command: { ...base.command, levels: [1, 50] },
    aggregate: { ...base.aggregate, levels: [1, 10] },
  };
}
