/**
 * One named subscription's claim to run in this process, across every
 * process that shares the database:
 *
 * 1. the subscription row is created if missing (its id is the lock key);
 * 2. `pg_try_advisory_lock` on the store's lock connection; when another
 *    session holds it, we are a standby and try again every
 *    `takeoverIntervalMs` (no error, no events);
 * 3. with the lock, the row is claimed: its epoch is incremented, which
 *    fences every earlier owner (their checkpoint writes compare-and-set on
 *    their own epoch and now fail), and the checkpoint to resume after is
 *    read in the same statement;
 * 4. the owner is told `acquired(claim)`. When the lock connection is lost
 *    (or a checkpoint write reveals a newer epoch), it is told `lost` at once,
 *    must stop delivering, and we go back to 2 after `takeoverIntervalMs`.
 *
 * A projection runner reuses this as it is: it gets the claim, and commits
 * each batch with `SubscriptionRows.checkpoint(claim, …, { trx, expected })`.
 */
import type { AdvisoryLocks, LockHolder } from './advisory-locks';
import type { Claim, SubscriptionRows } from './subscription-rows';

export interface OwnershipListener {
  /** We own the subscription from now on; deliver after `claim.lastSeen`. */
  acquired(claim: Claim): void;
  /** Somebody else owns it; we wait. */
  standby(): void;
  /** We no longer own it: stop delivering at once. We will try again. */
  lost(error: Error): void;
  /** The row was deleted (`deleteSubscription`): the subscription is over. */
  deleted(): void;
  /** A failed attempt (database unreachable); we will try again. */
  error(error: Error): void;
}

export interface OwnershipTarget {
  streamId: string;
  name: string;
  /** The checkpoint of a new row; null: the stream's current end. */
  startFrom: number | null;
}

export class Ownership implements LockHolder {
  private rowId?: number;
  private claimed?: Claim;
  private timer?: NodeJS.Timeout;
  private attempting?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly rows: SubscriptionRows,
    private readonly locks: AdvisoryLocks,
    private readonly ownerTag: string,
    private readonly target: OwnershipTarget,
    private readonly takeoverIntervalMs: number,
    private readonly listener: OwnershipListener,
  ) {}

  /** The current claim, while we own the subscription. */
  get claim(): Claim | undefined {
    return this.claimed;
  }

  /** Creates or fetches the row and makes the first attempt; rejects when the database cannot be reached. */
  async start(): Promise<void> {
    const row = await this.rows.getOrCreate(this.target.streamId, this.target.name, this.target.startFrom);
    this.rowId = row.id;
    await this.attempt(true);
  }

  /** A checkpoint write found a newer epoch: somebody else owns the subscription now. */
  deposed(error: Error): void {
    const claim = this.claimed;
    if (!claim) return;
    this.claimed = undefined;
    void this.locks.unlock(claim.id);
    this.listener.lost(error);
    this.schedule();
  }

  lockLost(error: Error): void {
    if (!this.claimed || this.stopped) return;
    this.claimed = undefined;
    this.listener.lost(error);
    this.schedule();
  }

  /** Lets go: releases the row (if still ours) and the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.attempting;
    const claim = this.claimed;
    this.claimed = undefined;
    if (claim) await this.rows.release(claim).catch(() => undefined);
    if (this.rowId !== undefined) await this.locks.unlock(this.rowId);
  }

  private attempt(first = false): Promise<void> {
    this.attempting ??= this.tryTakeOver(first).finally(() => {
      this.attempting = undefined;
    });
    return this.attempting;
  }

  private async tryTakeOver(first: boolean): Promise<void> {
    const id = this.rowId;
    if (this.stopped || this.claimed || id === undefined) return;
    try {
      if (!(await this.locks.tryLock(id, this))) {
        this.listener.standby();
        this.schedule();
        return;
      }
      if (this.stopped) return; // stop() unlocks
      const claim = await this.rows.claim(id, this.ownerTag);
      if (!claim) {
        await this.locks.unlock(id);
        this.stopped = true;
        this.listener.deleted();
        return;
      }
      // The lock connection may have died during the claim: then we never owned it.
      if (this.stopped || !this.locks.holds(id)) {
        if (!this.stopped) this.schedule();
        return;
      }
      this.claimed = claim;
      this.listener.acquired(claim);
    } catch (error) {
      if (first) throw error;
      this.listener.error(error as Error);
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, this.takeoverIntervalMs);
    this.timer.unref();
  }
}
