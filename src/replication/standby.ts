/**
 * One hot standby: its own pool of node-postgres connections, and what the
 * store knows of it — how far it has replayed the primary's WAL, whether it
 * could be reached, whether it fell behind.
 *
 * Waiting for replay polls the standby's replay position, but only while
 * someone waits: one poll loop per standby, shared by every waiting read and
 * wake-up. An idle store sends the standby nothing.
 */
import { Pool } from 'pg';
import type { Statement } from '../repositories/sql-runner';
import { PgConnection, runStatement } from '../repositories/sql-runner';
import { Lsn, maxLsn, parseLsn } from './lsn';
import { replicationStatements } from './sql/replication.sql';

/** The standby could not be reached (refused, dropped, shutting down). */
export class StandbyDownError extends Error {}

interface Waiter {
  lsn: Lsn;
  resolve(reached: boolean): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** Poll delays while a wait lasts: replay on a healthy standby takes about a millisecond. */
const FIRST_POLL_MS = 1;
const MAX_POLL_MS = 25;

export class Standby {
  private readonly pool: Pool;
  /** The highest replay position seen. */
  replayed: Lsn = -1n;
  /** A position the standby must replay before it serves reads (it missed a wake-up's, or a read's, deadline). */
  floor: Lsn = -1n;
  /** True while the standby is below `floor` after a wait timed out: reads do not wait on it again. */
  lagging = false;
  private downUntil = 0;
  private readonly waiters = new Set<Waiter>();
  private polling = false;
  private closed = false;

  constructor(readonly url: string, poolSize: number, private readonly retryAfterMs: number) {
    this.pool = new Pool({ connectionString: url, max: poolSize, keepAlive: true });
    // An idle connection that the standby drops must not crash the process: the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** False for `retryAfterMs` after the standby could not be reached. */
  get reachable(): boolean {
    return Date.now() >= this.downUntil;
  }

  /** When an unreachable standby will be tried again. */
  get retryAt(): number {
    return this.downUntil;
  }

  /** The URL without its password, for messages. */
  get label(): string {
    try {
      const url = new URL(this.url);
      url.password = '';
      return url.toString();
    } catch {
      return 'standby';
    }
  }

  async query<R>(statement: Statement, values: unknown[]): Promise<R[]> {
    let connection;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      throw this.down(error);
    }
    let broken = false;
    // A standby that shuts down also reports it outside the query; the query's own failure tells.
    const ignore = () => undefined;
    connection.on('error', ignore);
    try {
      return await runStatement<R>(connection as unknown as PgConnection, statement, values);
    } catch (error) {
      broken = isConnectionError(error);
      throw broken ? this.down(error) : error;
    } finally {
      connection.off('error', ignore);
      connection.release(broken);
    }
  }

  /** Resolves true once the standby has replayed `lsn`, false after `timeoutMs`; rejects when it cannot be reached. */
  waitForReplay(lsn: Lsn, timeoutMs: number): Promise<boolean> {
    if (this.replayed >= lsn) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { lsn, resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
      }
      this.waiters.add(waiter);
      if (!this.polling) void this.poll();
    });
  }

  /**
   * The standby missed `lsn`'s deadline: reads must not be served below it,
   * and do not wait on it again until it has caught up (watched in the
   * background, as long as it is reachable).
   */
  fellBehind(lsn: Lsn): void {
    this.floor = maxLsn(this.floor, lsn);
    // An unreachable standby is not watched: the first read after `retryAfterMs` waits for the floor itself.
    if (this.replayed >= this.floor || this.lagging || !this.reachable) return;
    this.lagging = true;
    const floor = this.floor;
    this.waitForReplay(floor, Number.POSITIVE_INFINITY).then(
      (reached) => {
        if (reached && this.replayed >= this.floor) this.lagging = false;
      },
      () => {
        // Unreachable: it stays lagging, and the next read or wake-up that tries it watches again.
        this.lagging = false;
      },
    );
  }

  /** Marks the standby unreachable for a while and fails whoever waits on it. */
  down(cause: unknown): StandbyDownError {
    this.downUntil = Date.now() + this.retryAfterMs;
    const error = new StandbyDownError(`standby ${this.label} unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    for (const waiter of this.waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters.clear();
    return error;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters.clear();
    await this.pool.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    let delay = FIRST_POLL_MS;
    try {
      while (this.waiters.size > 0 && !this.closed) {
        let lsn: Lsn;
        try {
          const [row] = await this.query<{ lsn: string | null }>(replicationStatements.replayLsn, []);
          lsn = parseLsn(row.lsn);
        } catch (error) {
          // query() marked it down and failed the waiters; any other error too.
          if (!(error instanceof StandbyDownError)) this.down(error);
          return;
        }
        this.replayed = maxLsn(this.replayed, lsn);
        for (const waiter of this.waiters) {
          if (waiter.lsn > this.replayed) continue;
          if (waiter.timer) clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          waiter.resolve(true);
        }
        if (this.waiters.size === 0) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
    } finally {
      this.polling = false;
    }
  }
}

/**
 * Errors that mean the server or the connection is gone, not that the
 * statement failed: no SQLSTATE (a socket error), connection exceptions
 * (class 08), shutdowns and restarts (57P01-57P03), too many connections.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** A query the standby cancelled because replay needed what it was reading (hot standby conflict): retry it. */
export function isRecoveryConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (code === '40001' || code === '40P01') && /recovery/i.test((error as Error).message ?? '');
}
