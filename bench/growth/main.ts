/**
 * `npm run bench:growth [-- --max | --quick]`: the store's figures as it
 * grows from new to 1 and 10 million events (bench/growth/run.ts). Writes
 * bench/results/<name>.{json,md,svg}. Uses DATABASE_URL when set (it creates
 * and drops the database bench_lib_growth there), else an embedded
 * PostgreSQL of its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { Command, InvalidArgumentError, Option } from 'commander';
import { machineInfo } from '../report/machine';
import { BenchServer } from '../server';
import { renderGrowthChart } from './chart';
import { growthMarkdown } from './markdown';
import { growthProfile } from './profile';
import type { GrowthResults } from './results';
import { PROBES } from './probes';
import { runGrowth } from './run';

interface CliOptions {
  max: boolean;
  quick: boolean;
  sizes?: number[];
  seed?: number;
  streams: number;
  loaders: number;
  vacuum: boolean;
  reps?: number;
  eventIds: 'v4' | 'v7';
  sharedBuffers?: string;
  out: string;
  name?: string;
}

const FULL_SIZES = [1_000_000, 10_000_000];
const QUICK_SIZES = [50_000, 200_000];

function sizeList(value: string): number[] {
  const sizes = value.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes.some((s, i) => i > 0 && s <= sizes[i - 1])) {
    throw new InvalidArgumentError('expected ascending positive integers, e.g. 1000000,10000000');
  }
  return sizes;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/**
 * Embedded server only: room for the WAL of a bulk load between checkpoints
 * (a server one tunes for such loads), and `shared_buffers` when asked.
 */
async function tuneEmbedded(server: BenchServer, url: string, sharedBuffers: string | undefined): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`alter system set max_wal_size = '8GB'`);
    await client.query('select pg_reload_conf()');
    if (sharedBuffers) await client.query(`alter system set shared_buffers = '${sharedBuffers.replace(/[^0-9A-Za-z]/g, '')}'`);
  } finally {
    await client.end();
  }
  if (sharedBuffers) await server.restart();
}

async function main(): Promise<void> {
  const opts = new Command()
    .name('npm run bench:growth --')
    .description('Measures appends, reads, subscriptions and aggregates on a new store and after bulk-loading it to 1 and 10 million events.')
    .option('--max', 'stop at 1 million events', false)
    .option('--quick', `short windows, 2 repetitions, sizes ${QUICK_SIZES.join(' and ')} (development)`, false)
    .option('--sizes <list>', 'store sizes to measure at, ascending (overrides --max and --quick\'s)', sizeList)
    .option('--seed <n>', 'events of the new store, the baseline (default 20000, quick 5000)', positiveInt)
    .option('--streams <n>', 'streams of the loaded history', positiveInt, 100_000)
    .option('--loaders <n>', 'imports side by side while loading', positiveInt, 2)
    .option('--no-vacuum', 'skip VACUUM (ANALYZE) after each load')
    .option('--reps <n>', 'repetitions per figure (default 3, quick 2)', positiveInt)
    .addOption(new Option('--event-ids <kind>', 'uuid version of the ids the probes\' appends give their events (the history has v7)').choices(['v4', 'v7']).default('v4'))
    .option('--shared-buffers <size>', 'embedded server only: its shared_buffers (default 128MB), e.g. 16MB to make a smaller store outgrow it')
    .option('--out <dir>', 'folder for the result files', join(__dirname, '..', 'results'))
    .option('--name <name>', 'base name of the result files (default: growth, growth-max with --max, growth-quick with --quick)')
    .parse()
    .opts<CliOptions>();
  const sizes = opts.sizes ?? (opts.quick ? QUICK_SIZES : opts.max ? FULL_SIZES.slice(0, 1) : FULL_SIZES);
  const name = opts.name ?? (opts.quick ? 'growth-quick' : opts.max ? 'growth-max' : 'growth');
  const profile = growthProfile(opts.quick, { reps: opts.reps, eventIds: opts.eventIds });
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

  const started = new Date();
  const server = await BenchServer.start();
  try {
    const url = await server.createDatabase('library', 'growth');
    let info = await server.info();
    if (info.embedded) {
      await tuneEmbedded(server, url, opts.sharedBuffers);
      info = await server.info();
    }
    const seed = opts.seed ?? (opts.quick ? 5000 : 20_000);
    const stages = await runGrowth({ url, seed, sizes, streams: opts.streams, loaders: opts.loaders, vacuum: opts.vacuum, profile, postmasterPid: info.postmasterPid, log });
    const results: GrowthResults = {
      startedAt: started.toISOString(),
      command: `npm run bench:growth${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      machine: machineInfo(), server: info, profile: { name: profile.name, reps: profile.reps, eventIds: profile.eventIds },
      streams: opts.streams, loaders: opts.loaders, vacuum: opts.vacuum, probes: PROBES, stages,
    };
    mkdirSync(opts.out, { recursive: true });
    const base = join(opts.out, name);
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${base}.md`, growthMarkdown(results));
    writeFileSync(`${base}.svg`, await renderGrowthChart(results));
    process.stdout.write(growthMarkdown(results));
    log(`wrote ${relative(process.cwd(), base)}.{json,md,svg}`);
  } finally {
    await server.dropDatabases();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
