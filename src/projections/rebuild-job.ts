/** One running rebuild: its progress (events done of total, rate) and its outcome. */
import type { RebuildProgress, RebuildResult } from './projection-options';

export class RebuildJob {
  readonly promise: Promise<RebuildResult>;
  /** The checkpoint is back at the origin and the replay has begun. */
  started = false;
  /** The end of `$all` when the replay began: reaching it completes the rebuild, whatever writers add meanwhile. */
  target = 0;
  private done = 0;
  private total = 0;
  private position = 0;
  private startedAt = 0;
  private settle!: { resolve: (result: RebuildResult) => void; reject: (error: Error) => void };

  constructor(
    readonly projection: string,
    private readonly onProgress: ((progress: RebuildProgress) => void) | undefined,
  ) {
    this.promise = new Promise<RebuildResult>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Failing before anyone awaits it is not an unhandled rejection.
    this.promise.catch(() => undefined);
  }

  /** The replay begins with `total` events to go, up to position `target`. */
  begin(total: number, target: number): void {
    this.started = true;
    this.target = target;
    this.startedAt = Date.now();
    this.total = total;
    this.report();
  }

  /** A batch of `events` up to `position` committed. */
  progress(events: number, position: number): void {
    this.done += events;
    this.position = position;
    this.total = Math.max(this.total, this.done);
    this.report();
  }

  finish(position: number): void {
    this.position = Math.max(this.position, position);
    this.settle.resolve({ projection: this.projection, events: this.done, position: this.position, elapsedMs: this.elapsed() });
  }

  fail(error: Error): void {
    this.settle.reject(error);
  }

  private report(): void {
    if (!this.onProgress) return;
    const elapsedMs = this.elapsed();
    try {
      this.onProgress({
        projection: this.projection,
        done: this.done,
        total: this.total,
        position: this.position,
        elapsedMs,
        ratePerSecond: elapsedMs > 0 ? Math.round((this.done * 1000) / elapsedMs) : 0,
      });
    } catch {
      // A failing progress callback must not stop the rebuild.
    }
  }

  private elapsed(): number {
    return this.started ? Date.now() - this.startedAt : 0;
  }
}
