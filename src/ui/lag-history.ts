/**
 * Lag over time for the chart: every `intervalMs` the subscriptions' lag
 * is sampled and the last `keep` samples of each are kept in memory (the
 * browser's lifetime, nothing stored). One timer, stopped by `stop()`.
 */
import type { StatusReader, SubscriptionRow } from './status-reader';

export interface LagSample {
  /** Milliseconds since the epoch. */
  at: number;
  lag: number;
}

export class LagHistory {
  private readonly samples = new Map<string, LagSample[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly reader: StatusReader, private readonly intervalMs: number, private readonly keep = 150) {}

  start(onError: (error: Error) => void): void {
    const tick = () => this.sample().catch(onError);
    void tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the current rows (also what the API answers) and records their lag. */
  async sample(): Promise<SubscriptionRow[]> {
    const rows = await this.reader.subscriptions();
    const at = Date.now();
    for (const row of rows) {
      const key = keyOf(row);
      const series = this.samples.get(key) ?? [];
      series.push({ at, lag: row.lag });
      if (series.length > this.keep) series.splice(0, series.length - this.keep);
      this.samples.set(key, series);
    }
    // Subscriptions deleted since are forgotten.
    const present = new Set(rows.map(keyOf));
    for (const key of this.samples.keys()) if (!present.has(key)) this.samples.delete(key);
    return rows;
  }

  historyOf(row: SubscriptionRow): LagSample[] {
    return this.samples.get(keyOf(row)) ?? [];
  }
}

function keyOf(row: SubscriptionRow): string {
  return `${row.kind}\u0000${row.streamId}\u0000${row.name}`;
}
