/**
 * Where an append that committed while the sequencer was busy learns its
 * `$all` position. Such appends of this store wait here together: one
 * `es_positions` call at a time serves every append that committed before
 * it was sent (it numbers them first if no sweep has covered them yet), and
 * the appends that commit meanwhile go together into the next call. Under
 * many concurrent writers this is one statement for many appends instead of
 * one per append.
 */
import type { Statement } from './sql-runner';
import { SqlRunner } from './sql-runner';

interface Waiter {
  resolve(position: number | null): void;
  reject(error: Error): void;
}

export class PositionWaiter {
  private waiting = new Map<string, Waiter[]>();
  private running = false;

  constructor(private readonly runner: SqlRunner, private readonly statement: Statement) {}

  /** The position of the last event of the committed append of transaction `tx`. */
  positionOf(tx: string): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(tx);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(tx, [{ resolve, reject }]);
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.size > 0) {
      const batch = this.waiting;
      this.waiting = new Map();
      try {
        const rows = await this.runner.query<{ tx: string; last_position: number }>(this.statement, [[...batch.keys()]]);
        const found = new Map(rows.map((r) => [r.tx, r.last_position]));
        // An append whose row is not found was set aside by a recovery after a restore (docs/ordering.md): numbered, position unknown.
        for (const [tx, waiters] of batch) for (const w of waiters) w.resolve(found.get(tx) ?? null);
      } catch (error) {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(error as Error);
      }
    }
    this.running = false;
  }
}
