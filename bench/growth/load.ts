/**
 * Grows the store through the library's bulk import (`importEvents`: COPY
 * into a staging table, one transaction per chunk). The histories (disjoint
 * streams) are imported side by side, one connection each, so the server's
 * cores share the work; each import call takes at most one million events,
 * so that its in-memory duplicate check stays small. Progress goes to `log`.
 */
import { EventStore, importEvents } from '../../src';
import type { History } from './history';

const SLICE = 1_000_000;
const LOG_EVERY_MS = 15_000;

export interface LoadResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Imports events until the histories together hold `target`. */
export async function loadTo(store: EventStore, histories: readonly History[], target: number, log: (line: string) => void): Promise<LoadResult> {
  const total = () => histories.reduce((sum, h) => sum + h.events, 0);
  const from = total();
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const share = Math.ceil((target - from) / histories.length);
  const timer = setInterval(() => {
    const done = total() - from;
    log(`  ${total().toLocaleString('en-US')} events generated (${Math.round(done / seconds()).toLocaleString('en-US')} events/s)`);
  }, LOG_EVERY_MS);
  try {
    await Promise.all(histories.map(async (history) => {
      const end = history.events + share;
      while (history.events < end) {
        await importEvents(store, toAsync(history.next(Math.min(SLICE, end - history.events))), { chunkSize: 10_000 });
      }
    }));
  } finally {
    clearInterval(timer);
  }
  const events = total() - from;
  return { events, seconds: seconds(), eventsPerSecond: events / seconds() };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
