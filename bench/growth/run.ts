/**
 * One growth run: measures a new store (`seed` events of the history, so
 * that `$all` pages have something to read), then grows it by bulk import to
 * each size in `sizes` and measures again. After each load the growing
 * tables are vacuumed and analysed (as an operator would after an import)
 * and a checkpoint is forced, so that neither lands inside the probes.
 */
import { EventStore } from '../../src';
import { LibraryContender } from '../contenders/library';
import type { Profile } from '../profile';
import type { Spread } from '../report/stats';
import { Meter } from '../worker/meter';
import { History, StreamLengths, streamLengths } from './history';
import { loadTo, LoadResult } from './load';
import { PROBES, runProbes } from './probes';
import { checkpoint, headPosition, tableSizes, TableSize, vacuumAnalyze } from './store-sql';

export interface GrowthOptions {
  url: string;
  /** The store's schema; default the library's. */
  schema?: string;
  /** Events of the new store, the baseline of every ratio. */
  seed: number;
  /** Store sizes (events) to grow to and measure at, ascending, after the new store. */
  sizes: number[];
  streams: number;
  /** Imports side by side while loading. */
  loaders: number;
  vacuum: boolean;
  profile: Profile;
  postmasterPid: number | null;
  log: (line: string) => void;
}

export interface StageResult {
  /** The size asked for (the first stage: the new store's seed). */
  size: number;
  /** Events in the store when the probes ended (the history and the probes' own). */
  events: number;
  load: LoadResult;
  vacuumSeconds?: number;
  lengths: StreamLengths;
  probes: Record<string, Spread>;
  /** WAL bytes per event of each probe (absent in runs before it was recorded). */
  walBytesPerEvent?: Record<string, number>;
  tables: TableSize[];
}

export async function runGrowth(o: GrowthOptions): Promise<StageResult[]> {
  const store = await EventStore.connect({ clientUrl: o.url, schema: o.schema });
  const contender = new LibraryContender();
  const meter = new Meter(o.url, o.postmasterPid);
  const histories = Array.from({ length: o.loaders }, (_, part) => new History(Math.ceil(o.streams / o.loaders), part));
  const stages: StageResult[] = [];
  try {
    await contender.open(o.url, o.profile.poolSize, o.schema);
    await meter.open();
    for (const size of [o.seed, ...o.sizes]) {
      o.log(`loading to ${size.toLocaleString('en-US')} events`);
      const load = await loadTo(store, histories, size, o.log);
      o.log(`  ${Math.round(load.eventsPerSecond).toLocaleString('en-US')} events/s over ${Math.round(load.seconds)} s`);
      const stage: Partial<StageResult> = { size, load };
      if (o.vacuum) {
        const started = Date.now();
        await vacuumAnalyze(store);
        stage.vacuumSeconds = (Date.now() - started) / 1000;
        o.log(`  vacuum (analyze): ${stage.vacuumSeconds.toFixed(1)} s`);
      }
      await checkpoint(store);
      o.log(`measuring at ${size.toLocaleString('en-US')} events`);
      const measured = await runProbes({ contender, profile: o.profile, meter, headPosition: () => headPosition(store) }, PROBES, o.log);
      stage.probes = measured.values;
      stage.walBytesPerEvent = measured.walBytesPerEvent;
      stage.events = await headPosition(store);
      stage.tables = await tableSizes(store);
      stage.lengths = streamLengths(histories);
      stages.push(stage as StageResult);
    }
    return stages;
  } finally {
    await meter.close();
    await contender.close();
    await store.close();
  }
}
