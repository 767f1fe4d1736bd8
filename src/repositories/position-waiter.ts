/**
 * Where an append that committed while the sequencer was busy learns its
 * `$all` position. The sweep in progress usually started before that commit,
 * so the append needs the next sweep, which the next append to find the
 * lock free runs inside its own transaction. Every sweep's NOTIFY reaches
 * the store's LISTEN connection and names the waiting appends it numbered
 * (their transaction ids and last positions): those resolve without a
 * statement. Names seen recently are kept, for an append whose sweep's
 * NOTIFY came before the append's own reply. A NOTIFY without names (a
 * sweep that numbered too many to list) makes the waiting appends of this
 * store look their positions up together in one read-only call. When no
 * sweep comes for `sequenceAfterMs`, or for three times the usual interval
 * between sweeps if that is longer (the last appends of a burst, the LISTEN
 * connection down), one call numbers them itself.
 *
 * Calls never overlap; the appends that arrive during one are served by the
 * next, so under many writers one statement serves many appends.
 */
import type { Statement } from './sql-runner';
import { SqlRunner } from './sql-runner';

/** How many named positions are kept for appends whose reply comes after their sweep's NOTIFY. */
const RECENT_LIMIT = 4096;
/** The longest a waiting append waits for a sweep before it sequences itself. */
const MAX_SILENCE_MS = 50;

interface Waiter {
  resolve(position: number | null): void;
  reject(error: Error): void;
}

export class PositionWaiter {
  private readonly waiting = new Map<string, Waiter[]>();
  private lookUp = false;
  private sequence = false;
  private running = false;
  private timer?: NodeJS.Timeout;
  /** Positions named by recent sweeps, by transaction id, oldest first. */
  private readonly recent = new Map<string, number>();
  /** When the last sweep's NOTIFY came, and the smoothed time between them (ms). */
  private lastSweep?: number;
  private sweepInterval?: number;

  constructor(private readonly runner: SqlRunner, private readonly statement: Statement, private readonly sequenceAfterMs: number) {}

  /** The position of the last event of the committed append of transaction `tx`. */
  positionOf(tx: string): Promise<number | null> {
    const known = this.recent.get(tx);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(tx);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(tx, [{ resolve, reject }]);
      this.arm();
    });
  }

  /**
   * A sweep committed (the store's NOTIFY, `payload`), or the LISTEN
   * connection is back (no payload): waiting appends may be numbered now.
   */
  notified(payload?: string): void {
    // Only sweeps' payloads begin with a digit (their last position).
    if (payload !== undefined && !/^[0-9]/.test(payload)) return;
    // After a reconnect the server may be another one (a restore, where
    // transaction ids start again lower): names seen before mean nothing.
    if (payload === undefined) this.recent.clear();
    const named = payload === undefined ? undefined : namedAppends(payload);
    if (payload !== undefined) this.sweepSeen();
    if (named) {
      for (const [tx, position] of named) {
        this.remember(tx, position);
        this.settle(tx, (w) => w.resolve(position));
      }
      return;
    }
    if (this.waiting.size === 0) return;
    this.lookUp = true;
    this.kick();
  }

  private remember(tx: string, position: number): void {
    this.recent.set(tx, position);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * Sweeps are coming: a waiting append is covered by the one after the
   * next at the latest, so its own sequencing call waits for a silence of
   * a few intervals between sweeps (slow commits make them longer) rather
   * than a fixed time that would race them.
   */
  private sweepSeen(): void {
    const now = performance.now();
    // Measured while appends wait: the intervals of a busy store, not its idle gaps.
    if (this.lastSweep !== undefined && this.waiting.size > 0) {
      const interval = Math.min(now - this.lastSweep, MAX_SILENCE_MS);
      this.sweepInterval = this.sweepInterval === undefined ? interval : 0.8 * this.sweepInterval + 0.2 * interval;
    }
    this.lastSweep = now;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.arm();
    }
  }

  private arm(): void {
    if (this.timer) return;
    const silence = Math.min(Math.max(this.sequenceAfterMs, 3 * (this.sweepInterval ?? 0)), MAX_SILENCE_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.waiting.size === 0) return;
      this.sequence = true;
      this.kick();
    }, silence);
  }

  private kick(): void {
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    while ((this.lookUp || this.sequence) && this.waiting.size > 0) {
      const sequence = this.sequence;
      this.lookUp = false;
      this.sequence = false;
      const txs = [...this.waiting.keys()];
      let rows: { tx: string; last_position: number }[];
      try {
        rows = await this.runner.query(this.statement, [txs, sequence]);
      } catch (error) {
        if (sequence) for (const tx of txs) this.settle(tx, (w) => w.reject(error as Error));
        // A failed look-up leaves them waiting: the timer sequences them (and reports a lasting failure).
        continue;
      }
      for (const row of rows) this.settle(row.tx, (w) => w.resolve(row.last_position));
      // After a sequencing call every one is numbered; one not found was set
      // aside by the recovery after a restore (docs/ordering.md): position unknown.
      if (sequence) for (const tx of txs) this.settle(tx, (w) => w.resolve(null));
    }
    this.running = false;
    if (this.waiting.size > 0) this.arm();
  }

  private settle(tx: string, fn: (waiter: Waiter) => void): void {
    const waiters = this.waiting.get(tx);
    if (!waiters) return;
    this.waiting.delete(tx);
    for (const w of waiters) fn(w);
  }
}

/**
 * The waiting appends a sweep's payload names (`<last> <tx>:<position>,...`,
 * `<last> ` for none), or undefined for a payload without the list (a sweep
 * that numbered too many to name): waiting appends must look theirs up.
 */
function namedAppends(payload: string): Array<[string, number]> | undefined {
  const space = payload.indexOf(' ');
  if (space < 0) return undefined;
  const list = payload.slice(space + 1);
  if (list === '') return [];
  return list.split(',').map((pair) => {
    const colon = pair.indexOf(':');
    return [pair.slice(0, colon), Number(pair.slice(colon + 1))];
  });
}
