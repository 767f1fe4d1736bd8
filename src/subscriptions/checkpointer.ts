/**
 * When a subscription's checkpoint is written: once `threshold` events were
 * acknowledged since the last write, at the latest `afterMs` after an
 * acknowledgement (when set), and on `close()`. Writes never overlap and
 * always carry the newest candidate, so they batch themselves under load.
 *
 * Writing is all it does: it never touches what is read or delivered (the
 * reference implementation's checkpoint timer also switched a catching-up
 * subscription to live, which skipped every event not read yet).
 */
export interface CheckpointerOptions {
  threshold: number;
  afterMs: number;
  /** Persists the checkpoint; throws when the database could not be reached. */
  write: (position: number) => Promise<void>;
  onError: (error: Error) => void;
  /** Delay before a failed write is tried again. */
  retryDelayMs: () => number;
}

export class Checkpointer {
  private persisted: number;
  private candidate: number;
  private pending = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private quiet = false;

  constructor(
    start: number,
    private readonly options: CheckpointerOptions,
  ) {
    this.persisted = start;
    this.candidate = start;
  }

  /** `count` more events are done with, and everything up to `candidate` is. Resolves when a write it caused is done. */
  acknowledged(candidate: number, count: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.candidate = Math.max(this.candidate, candidate);
    this.pending += count;
    if (this.candidate <= this.persisted) return Promise.resolve();
    if (this.pending >= this.options.threshold) return this.flush();
    if (this.options.afterMs > 0 && !this.timer) this.later(this.options.afterMs);
    return Promise.resolve();
  }

  /** Writes the candidate if it is ahead of what is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.writeIfAhead());
    return this.chain;
  }

  /** A last write of what was acknowledged; nothing is scheduled afterwards. `quiet`: do not report its failure. */
  close(options: { quiet?: boolean } = {}): Promise<void> {
    const last = this.flush();
    this.closed = true;
    this.quiet = options.quiet ?? false;
    return last;
  }

  private async writeIfAhead(): Promise<void> {
    const target = this.candidate;
    if (target <= this.persisted) return;
    const pending = this.pending;
    this.pending = 0;
    try {
      await this.options.write(target);
      this.persisted = Math.max(this.persisted, target);
    } catch (error) {
      this.pending += pending;
      if (!this.quiet) this.options.onError(error as Error);
      this.later(this.options.retryDelayMs());
    }
  }

  private later(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }
}
