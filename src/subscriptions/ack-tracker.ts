/**
 * A subscription's checkpoint candidate: the highest number n such that
 * every event up to n is done with, i.e. acknowledged, skipped by the
 * selector, or a gap in the numbering. Acks may come out of order (several
 * partitions in flight); the candidate only moves over a contiguous prefix,
 * so it never passes an event still unacknowledged.
 */
export class AckTracker {
  /** Numbers read for the handler, ascending; those before `head` are done. */
  private outstanding: number[] = [];
  private head = 0;
  private readonly acked = new Set<number>();
  private lastRead: number;

  constructor(start: number) {
    this.lastRead = start;
  }

  /** Events were read up to `lastNumber`; `kept` (ascending) go to the handler, the rest are done already. */
  read(kept: readonly number[], lastNumber: number): void {
    for (const n of kept) this.outstanding.push(n);
    this.lastRead = lastNumber;
  }

  ack(n: number): void {
    this.acked.add(n);
  }

  get checkpoint(): number {
    while (this.head < this.outstanding.length && this.acked.delete(this.outstanding[this.head])) this.head++;
    if (this.head > 1024 && this.head * 2 > this.outstanding.length) {
      this.outstanding = this.outstanding.slice(this.head);
      this.head = 0;
    }
    return this.head < this.outstanding.length ? this.outstanding[this.head] - 1 : this.lastRead;
  }
}
