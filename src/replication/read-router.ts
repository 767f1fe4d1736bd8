/**
 * Sends the store's reads to its standbys, round-robin, and keeps each
 * read's promise: a read never sees less than the store's own finished
 * writes (own-writes.ts), nor less than what a subscription was woken for
 * (a standby that missed a wake-up's deadline carries that position as its
 * floor). When no standby can serve a read in time, the configured
 * fallback decides: the primary, a longer wait, or an error.
 *
 * Any standby serves the same promises: each is a consistent, earlier or
 * later, state of the primary, so a reader that pages `$all` by position
 * across standbys (or falls back to the primary) neither skips nor repeats.
 */
import type { Knex } from '@mikro-orm/postgresql';
import { ReplicaTimeoutError, ReplicaUnavailableError } from '../errors';
import type { QueryRunner, Statement } from '../repositories/sql-runner';
import { Lsn, formatLsn, maxLsn } from './lsn';
import type { OwnWrites } from './own-writes';
import type { ResolvedReplicaOptions } from './replica-options';
import { Standby, StandbyDownError, isRecoveryConflict } from './standby';

/** A query that replay cancelled is tried again this many times. */
const CONFLICT_RETRIES = 3;

export class ReadRouter implements QueryRunner {
  private next = 0;

  constructor(
    private readonly primary: QueryRunner,
    readonly standbys: readonly Standby[],
    private readonly ownWrites: OwnWrites,
    private readonly options: ResolvedReplicaOptions,
  ) {}

  async query<R = Record<string, any>>(statement: Statement, values: unknown[], trx?: Knex.Transaction): Promise<R[]> {
    // A read inside a caller's transaction belongs to that transaction.
    if (trx) return this.primary.query<R>(statement, values, trx);
    const target = await this.ownWrites.target();
    const deadline = Date.now() + this.options.timeoutMs;
    let conflicts = 0;
    let lastDown: unknown;
    for (;;) {
      const standby = this.pick();
      if (!standby) {
        if (this.options.fallback === 'primary') return this.primary.query<R>(statement, values);
        if (this.options.fallback === 'error' || Date.now() >= deadline) {
          if (this.options.fallback === 'wait') throw new ReplicaTimeoutError(this.labels(), formatLsn(maxLsn(target, 0n)), this.options.timeoutMs);
          throw new ReplicaUnavailableError(this.standbys.map((s) => s.label), { cause: lastDown });
        }
        await sleep(Math.max(1, Math.min(deadline, this.soonestRetry()) - Date.now()));
        continue;
      }
      const needed = maxLsn(target, standby.floor);
      try {
        if (standby.replayed < needed) {
          const waitMs = standby.lagging && this.options.fallback === 'primary' ? 0 : Math.max(0, deadline - Date.now());
          if (!(await standby.waitForReplay(needed, waitMs))) {
            standby.fellBehind(needed);
            if (this.options.fallback === 'primary') return this.primary.query<R>(statement, values);
            throw new ReplicaTimeoutError(standby.label, formatLsn(needed), this.options.timeoutMs);
          }
        }
        return await standby.query<R>(statement, values);
      } catch (error) {
        if (error instanceof StandbyDownError) {
          lastDown = error;
          continue;
        }
        if (isRecoveryConflict(error) && ++conflicts <= CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  }

  /**
   * Resolves once every reachable standby has replayed `lsn`, or after the
   * timeout; a standby that missed it (or could not be reached) carries
   * `lsn` as its floor, so that no read is served below it.
   */
  async replayed(lsn: Lsn): Promise<void> {
    await Promise.all(this.standbys.map(async (standby) => {
      if (standby.replayed >= lsn) return;
      if (!standby.reachable || standby.lagging) {
        standby.fellBehind(lsn);
        return;
      }
      try {
        if (!(await standby.waitForReplay(lsn, this.options.timeoutMs))) standby.fellBehind(lsn);
      } catch {
        standby.floor = maxLsn(standby.floor, lsn);
      }
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.standbys.map((standby) => standby.close()));
  }

  /** The next reachable standby, round-robin; with the 'primary' fallback, lagging ones only when nothing else is left. */
  private pick(): Standby | undefined {
    let lagging: Standby | undefined;
    for (let i = 0; i < this.standbys.length; i++) {
      const standby = this.standbys[(this.next + i) % this.standbys.length];
      if (!standby.reachable) continue;
      if (standby.lagging && !lagging) {
        lagging = standby;
        continue;
      }
      if (standby.lagging) continue;
      this.next = (this.next + i + 1) % this.standbys.length;
      return standby;
    }
    return lagging;
  }

  private soonestRetry(): number {
    return Math.min(...this.standbys.map((standby) => standby.retryAt));
  }

  private labels(): string {
    return this.standbys.map((standby) => standby.label).join(', ');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
