/** Retry delays that double from `initialMs` up to `maxMs`, back to `initialMs` after a success. */
export class Backoff {
  private next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.next = initialMs;
  }

  delay(): number {
    const delay = this.next;
    this.next = Math.min(this.next * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.next = this.initialMs;
  }
}
