/**
 * Wake-ups of subscriptions and projections whose reads go to standbys.
 *
 * Notifications come from the primary (LISTEN does not work on a standby),
 * and tell of commits a standby may not have replayed yet: a subscription
 * woken at once would read too little, then wait for a notification that
 * already came. So each wake-up is held until the standbys have replayed
 * the primary's WAL as it was when the wake-up arrived: one question to the
 * primary and one wait on the standbys for every wake-up that arrives
 * meanwhile. Nothing is asked while nothing is notified.
 */
import type { Logger } from '@mikro-orm/core';
import type { Lsn } from './lsn';
import type { ReadRouter } from './read-router';

export class ReplayGate {
  private queue: Array<() => void> = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly primaryLsn: () => Promise<Lsn>,
    private readonly router: ReadRouter,
    private readonly logger: Logger,
  ) {}

  /** Runs `wake` once the standbys have replayed what the primary has now. */
  pass(wake: () => void): void {
    if (this.closed) return;
    this.queue.push(wake);
    if (!this.draining) void this.drain();
  }

  /** Wake-ups still held are dropped: the store is closing. */
  close(): void {
    this.closed = true;
    this.queue = [];
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.router.replayed(await this.primaryLsn());
        } catch (error) {
          // The primary could not say: wake anyway, the reads report what is wrong.
          this.logger.error('info', `[eventstore] waiting for standby replay failed: ${(error as Error).message}`);
        }
        if (!this.closed) for (const wake of batch) wake();
      }
    } finally {
      this.draining = false;
    }
  }
}
