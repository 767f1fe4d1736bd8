/**
 * Which queued events go to the handler now, and what is in flight.
 *
 * Limits: at most `bufferSize` unacknowledged events in flight (so no batch
 * is larger), and at most `concurrencyLimit` handler calls at once, each for
 * a different partition. A partition's events go out in order, one handler
 * call at a time: the next batch of a partition waits until the handler has
 * returned from the previous one. Without `partitionBy` every event is in
 * one partition.
 */
import type { RecordedEvent } from '../types';

export interface Queued {
  readonly event: RecordedEvent;
  readonly key: unknown;
}

export interface Batch {
  readonly key: unknown;
  readonly entries: Queued[];
}

export class Dispatcher {
  /** Event number -> its partition, for every unacknowledged event handed to the handler. */
  private readonly inFlight = new Map<number, unknown>();
  /** Partition -> its in-flight event numbers, ascending. */
  private readonly byPartition = new Map<unknown, number[]>();
  /** Partitions whose handler call has not returned yet. */
  private readonly running = new Set<unknown>();

  constructor(
    private readonly bufferSize: number,
    private readonly concurrencyLimit: number,
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The lowest event number in flight, or undefined when none is. */
  oldestInFlight(): number | undefined {
    let oldest: number | undefined;
    for (const numbers of this.byPartition.values()) {
      if (numbers.length > 0 && (oldest === undefined || numbers[0] < oldest)) oldest = numbers[0];
    }
    return oldest;
  }

  /** Takes the next batches off `queue` (which it shortens). */
  take(queue: Queued[]): Batch[] {
    let room = this.bufferSize - this.inFlight.size;
    const slots = this.concurrencyLimit - this.running.size;
    if (room <= 0 || slots <= 0 || queue.length === 0) return [];
    const forming = new Map<unknown, Queued[]>();
    const blocked = new Set<unknown>();
    const skipped: Queued[] = [];
    let scanned = 0;
    for (; scanned < queue.length && room > 0; scanned++) {
      const entry = queue[scanned];
      if (blocked.has(entry.key) || this.running.has(entry.key)) {
        blocked.add(entry.key); // later events of the partition wait behind this one
        skipped.push(entry);
        continue;
      }
      let batch = forming.get(entry.key);
      if (!batch) {
        if (forming.size >= slots) {
          blocked.add(entry.key);
          skipped.push(entry);
          continue;
        }
        forming.set(entry.key, (batch = []));
      }
      batch.push(entry);
      room--;
    }
    queue.splice(0, scanned, ...skipped);
    const batches: Batch[] = [];
    for (const [key, entries] of forming) {
      this.running.add(key);
      let numbers = this.byPartition.get(key);
      if (!numbers) this.byPartition.set(key, (numbers = []));
      for (const { event } of entries) {
        this.inFlight.set(event.eventNumber, key);
        numbers.push(event.eventNumber);
      }
      batches.push({ key, entries });
    }
    return batches;
  }

  /** The handler returned from `batch`: its partition may have the next one. */
  finished(batch: Batch): void {
    this.running.delete(batch.key);
  }

  /** Acknowledges `n` and the earlier in-flight events of its partition; undefined when `n` is not in flight. */
  ack(n: number): number[] | undefined {
    if (!this.inFlight.has(n)) return undefined;
    const key = this.inFlight.get(n);
    const numbers = this.byPartition.get(key)!;
    let count = 0;
    while (count < numbers.length && numbers[count] <= n) count++;
    const acked = numbers.splice(0, count);
    for (const number of acked) this.inFlight.delete(number);
    if (numbers.length === 0) this.byPartition.delete(key);
    return acked;
  }

  /** The handler failed `batch`: its unacknowledged events leave the flight, to be delivered again. */
  withdraw(batch: Batch): Queued[] {
    this.running.delete(batch.key);
    const back = batch.entries.filter(({ event }) => this.inFlight.has(event.eventNumber));
    if (back.length === 0) return back;
    const numbers = this.byPartition.get(batch.key) ?? [];
    const withdrawn = new Set(back.map(({ event }) => event.eventNumber));
    for (const n of withdrawn) this.inFlight.delete(n);
    const remaining = numbers.filter((n) => !withdrawn.has(n));
    if (remaining.length === 0) this.byPartition.delete(batch.key);
    else this.byPartition.set(batch.key, remaining);
    return back;
  }
}

/** Puts withdrawn events back in front of their successors (both lists ascending). */
export function requeue(queue: Queued[], back: Queued[]): Queued[] {
  const merged: Queued[] = [];
  let i = 0;
  let j = 0;
  while (i < back.length || j < queue.length) {
    if (j >= queue.length || (i < back.length && back[i].event.eventNumber < queue[j].event.eventNumber)) merged.push(back[i++]);
    else merged.push(queue[j++]);
  }
  return merged;
}
