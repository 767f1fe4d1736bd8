/**
 * Runs the `$all` sequencer when nobody else will: after a caller's
 * transaction that appended commits (its NOTIFY wakes us), when the LISTEN
 * connection (re)connects, and on a slow safety timer (a process that died
 * between a commit and its own sequencing). Runs never overlap; a wake-up
 * during a run causes one more run.
 */
import type { Statement } from './sql-runner';
import { SqlRunner } from './sql-runner';

export class BackgroundSequencer {
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly runner: SqlRunner,
    private readonly statement: Statement,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    this.stopped = false;
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => this.wake(), this.intervalMs);
      this.timer.unref();
    }
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when the current run (if any) and the one it owes are done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runner.query(this.statement, [null]);
      } catch (error) {
        if (!this.stopped) this.onError(error as Error);
        return;
      }
    } while (this.again && !this.stopped);
  }
}
