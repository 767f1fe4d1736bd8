/**
 * A `$all` consumer as every subscription is one: it pages `readAllForward`
 * from its checkpoint (the last position it saw) and never looks back. What
 * it records is checked against what the writers know they committed.
 */
import { EventStore, RecordedEvent } from '../../../src';
import { readAllFiltered } from '../../support/store-probe';

export class AllReader {
  readonly seen: RecordedEvent[] = [];
  checkpoint = 0;
  /** Positions that arrived at or below the checkpoint (must never happen). */
  readonly backwards: Array<{ position: number; checkpoint: number }> = [];
  private stopped = false;
  private loop?: Promise<void>;

  /** `eventTypes`: read only those, as filtered subscriptions do (the checkpoint moves to how far each read looked). */
  constructor(private readonly store: EventStore, private readonly pageSize = 100, private readonly eventTypes?: string[]) {}

  /** Reads until `stop()`, pausing briefly when caught up. */
  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const page = await this.readPage();
        if (page === 0) await new Promise((r) => setTimeout(r, 2));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Starts after the current end of `$all` (what earlier tests wrote is not this reader's business). */
  async startAtEnd(): Promise<void> {
    const [last] = await this.store.readAllBackward(-1, 1);
    this.checkpoint = last?.position ?? 0;
  }

  /** Reads from the checkpoint until a page comes back empty. */
  async drain(): Promise<void> {
    while ((await this.readPage()) > 0);
  }

  async readPage(): Promise<number> {
    if (this.eventTypes) return this.readFilteredPage(this.eventTypes);
    const page = await this.store.readAllForward(this.checkpoint + 1, this.pageSize);
    for (const event of page) {
      if (event.position <= this.checkpoint) this.backwards.push({ position: event.position, checkpoint: this.checkpoint });
      this.checkpoint = Math.max(this.checkpoint, event.position);
      this.seen.push(event);
    }
    return page.length;
  }

  get filtered(): boolean {
    return this.eventTypes !== undefined;
  }

  private async readFilteredPage(eventTypes: string[]): Promise<number> {
    const page = await readAllFiltered(this.store, this.checkpoint + 1, this.pageSize, { eventTypes });
    for (const event of page.events) {
      if (event.position <= this.checkpoint) this.backwards.push({ position: event.position, checkpoint: this.checkpoint });
      if (!eventTypes.includes(event.eventType)) this.backwards.push({ position: event.position, checkpoint: -1 });
      this.seen.push(event);
    }
    const before = this.checkpoint;
    this.checkpoint = Math.max(this.checkpoint, page.scannedTo);
    return page.events.length + (this.checkpoint > before ? 1 : 0);
  }
}

export interface RaceReport {
  committed: number;
  seen: number;
  skipped: number;
  repeated: number;
  rolledBackSeen: number;
  backwards: number;
  /** A stream's versions out of order in $all (G4). */
  streamOrderViolations: number;
}

/** Compares what a checkpoint reader saw with what was committed and rolled back. */
export function raceReport(reader: AllReader, committed: Iterable<string>, rolledBack: Iterable<string>): RaceReport {
  const seenCount = new Map<string, number>();
  for (const e of reader.seen) seenCount.set(e.eventId, (seenCount.get(e.eventId) ?? 0) + 1);
  // Ids may carry a `writer:` tag.
  const untag = (id: string) => id.slice(id.indexOf(':') + 1);
  committed = [...committed].map(untag);
  rolledBack = [...rolledBack].map(untag);
  const committedSet = new Set(committed);
  let skipped = 0;
  for (const id of committedSet) if (!seenCount.has(id)) skipped++;
  let repeated = 0;
  for (const n of seenCount.values()) if (n > 1) repeated += n - 1;
  let rolledBackSeen = 0;
  for (const id of rolledBack) if (seenCount.has(id)) rolledBackSeen++;
  const lastVersion = new Map<string, number>();
  let streamOrderViolations = 0;
  for (const e of reader.seen) {
    const last = lastVersion.get(e.streamId) ?? 0;
    // A filtered reader sees some of a stream's versions: still in order.
    if (reader.filtered ? e.streamVersion <= last : e.streamVersion !== last + 1) streamOrderViolations++;
    lastVersion.set(e.streamId, Math.max(last, e.streamVersion));
  }
  return {
    committed: committedSet.size,
    seen: reader.seen.length,
    skipped,
    repeated,
    rolledBackSeen,
    backwards: reader.backwards.length,
    streamOrderViolations,
  };
}
