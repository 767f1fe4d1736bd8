/**
 * Notices a handler that holds a full buffer without acknowledging anything:
 * a timer runs while `bufferSize` events are in flight, every
 * acknowledgement starts it again, and when it runs out the subscription is
 * stalled (reported once) until an acknowledgement comes or the events
 * leave the flight (a failed batch is withdrawn).
 */
export class StallWatch {
  private timer?: NodeJS.Timeout;
  private stalledNow = false;

  /** `timeoutMs` 0: never stalls. */
  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: () => void,
  ) {}

  get stalled(): boolean {
    return this.stalledNow;
  }

  /**
   * After a delivery, an acknowledgement (`acked`) or a withdrawal, with
   * whether the buffer is full now; true when this ended a stall.
   */
  update(full: boolean, acked: boolean): boolean {
    const ended = this.stalledNow && (acked || !full);
    if (ended) this.stalledNow = false;
    if (acked || !full) this.clear();
    if (full && !this.stalledNow && !this.timer && this.timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.stalledNow = true;
        this.onStall();
      }, this.timeoutMs);
      this.timer.unref();
    }
    return ended;
  }

  stop(): void {
    this.clear();
    this.stalledNow = false;
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
