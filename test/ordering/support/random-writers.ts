/**
 * The race suite's workload: concurrent writers appending 1–5 events to
 * random streams with exact expected versions (re-reading and retrying on a
 * conflict), a quarter of them inside caller transactions that sleep before
 * committing, one in ten of those rolled back; a reader pages `$all` by
 * checkpoint meanwhile.
 */
import { EventStore, ExpectedVersion, StreamNotFoundError, WrongExpectedVersionError } from '../../../src';
import { events } from '../../support/stores';
import { AllReader, RaceReport, raceReport } from './all-reader';

export interface RaceOptions {
  writers: number;
  appendsPerWriter: number;
  streams: number;
  seed: number;
  label: string;
  /**
   * The reader reads only the events of these writers (their events' type
   * is `W<writer>`), filtered in the database, moving its checkpoint past
   * what the filter skipped as subscriptions do; the report counts only them.
   */
  filterWriters?: number[];
}

export interface RaceResult extends RaceReport {
  conflicts: number;
  g3Checks: number;
  /** Autocommit appends whose events had no `$all` position when the append returned. */
  g3Violations: number;
}

/** A small deterministic generator, so that a failing seed can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runRace(store: EventStore, options: RaceOptions): Promise<RaceResult> {
  const rnd = random(options.seed);
  const wanted = options.filterWriters?.map((w) => `W${w}`);
  const reader = new AllReader(store, 100, wanted);
  await reader.startAtEnd();
  reader.start();
  const committed: string[] = [];
  const rolledBack: string[] = [];
  let conflicts = 0;
  let g3Checks = 0;
  let g3Violations = 0;

  async function currentVersion(stream: string): Promise<number> {
    try {
      return (await store.streamInfo(stream)).streamVersion;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0;
      throw error;
    }
  }

  async function writer(w: number): Promise<void> {
    for (let i = 0; i < options.appendsPerWriter; i++) {
      const stream = `${options.label}-s${Math.floor(rnd() * options.streams)}`;
      const batch = events(1 + Math.floor(rnd() * 5), `W${w}`);
      const inTransaction = rnd() < 0.25;
      const rollback = inTransaction && rnd() < 0.1;
      const holdMs = Math.floor(rnd() * 40);
      for (;;) {
        const expected = await currentVersion(stream);
        try {
          if (!inTransaction) {
            await store.appendToStream(stream, expected === 0 ? ExpectedVersion.NoStream : expected, withIds(batch));
            committed.push(...batch.map((e) => tagged(w, e.eventId!)));
            g3Checks++;
            const read = await store.readStreamForward(stream, expected + 1, batch.length);
            if (read.length !== batch.length || read.some((e) => e.position === 0)) g3Violations++;
          } else {
            const em = store.orm.em.fork();
            await em.begin();
            try {
              await store.appendToStream(stream, expected === 0 ? ExpectedVersion.NoStream : expected, withIds(batch), { em });
              await sleep(holdMs);
            } catch (error) {
              await em.rollback();
              throw error;
            }
            if (rollback) {
              await em.rollback();
              rolledBack.push(...batch.map((e) => tagged(w, e.eventId!)));
            } else {
              await em.commit();
              committed.push(...batch.map((e) => tagged(w, e.eventId!)));
            }
          }
          break;
        } catch (error) {
          if (error instanceof WrongExpectedVersionError || (error as { code?: string }).code === 'stream_exists') {
            conflicts++;
            continue;
          }
          throw error;
        }
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  } finally {
    await reader.stop();
  }
  // Give the sequencer the last commits (woken by their notifications), then read to the end.
  await sleep(100);
  await reader.drain();
  // A filtered reader must see exactly the committed events of its types.
  const typeOf = (id: string) => `W${id.split(':')[0]}`;
  const keep = (ids: string[]) => (wanted ? ids.filter((id) => wanted.includes(typeOf(id))) : ids);
  return { ...raceReport(reader, keep(committed), keep(rolledBack)), conflicts, g3Checks, g3Violations };
}

/** `writer:eventId`: the report compares event ids, the filter needs the writer. */
function tagged(writer: number, eventId: string): string {
  return `${writer}:${eventId}`;
}

/** Fresh event ids for each attempt, so a retried batch is not a duplicate of a rolled-back one. */
function withIds<T extends { eventId?: string }>(batch: T[]): T[] {
  for (const e of batch) e.eventId = crypto.randomUUID();
  return batch;
}
