/**
 * The owned-term loop that persistent subscriptions and projection workers
 * share. An owner works in terms: a term begins when Ownership grants a
 * claim and ends the moment the claim is lost; while no term runs the owner
 * is a standby (another process owns the name) or retrying (the database
 * could not be reached). What each owner does inside a term (deliver
 * batches, commit read-model changes) is its own; how it reacts to the
 * ownership's news is this, in one place.
 */
import type { OwnershipListener } from './ownership';
import type { Claim } from './subscription-rows';
import type { StartFrom } from './subscription-options';

/** What an owner of terms does on the ownership's news. */
export interface TermOwner {
  /** Whether a term is running. */
  hasTerm(): boolean;
  /** Ownership granted: a term begins, resuming after `claim.lastSeen`. */
  begin(claim: Claim): void;
  /** Ownership lost: the current term ends at once (nothing more is delivered or acknowledged in it). */
  endTerm(): void;
  /** The subscription row was deleted (`deleteSubscription`): it is over. */
  deleted(): void;
  setState(state: 'standby' | 'retrying'): void;
  report(error: Error): void;
  /** After a lost ownership was reported. */
  afterLost?(error: Error): void;
  /** A failed attempt to take the ownership (reported, tried again). */
  attemptFailed?(error: Error): void;
}

/**
 * The ownership callbacks of `owner`. `current()` false: the callbacks
 * come from an ownership the owner has let go of, and are ignored.
 */
export function termListener(owner: TermOwner, current: () => boolean = () => true): OwnershipListener {
  return {
    acquired: (claim) => {
      if (current()) owner.begin(claim);
    },
    standby: () => {
      if (current() && !owner.hasTerm()) owner.setState('standby');
    },
    lost: (error) => {
      if (!current()) return;
      owner.endTerm();
      owner.setState('standby');
      owner.report(error);
      owner.afterLost?.(error);
    },
    deleted: () => {
      if (current()) owner.deleted();
    },
    error: (error) => {
      if (!current()) return;
      if (!owner.hasTerm()) owner.setState('retrying');
      owner.attemptFailed?.(error);
      owner.report(error);
    },
  };
}

/** The checkpoint a new subscription row starts at: 0 from the origin, null at the stream's current end. */
export function startCheckpoint(startFrom: StartFrom): number | null {
  return startFrom === 'origin' ? 0 : startFrom === 'current' ? null : startFrom;
}
