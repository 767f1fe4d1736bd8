/**
 * `npm run bench [-- --quick]`: this library against hand-written SQL on its
 * own schema and against Emmett, interleaved in one run. Prints the tables and
 * the targets, and writes bench/results/<name>.{json,svg,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BASELINE, contenderInfo, CONTENDERS } from './contenders';
import { CONTENDER_KEYS, ContenderKey } from './contenders/contender';
import { profileFor } from './profile';
import { renderChart } from './report/chart';
import { markdownReport } from './report/markdown';
import { costsTable, targetLines, workloadNotes, workloadTable } from './report/table';
import { CheckFailedError, runSuite } from './suite';
import { WORKLOADS, workloadsMatching } from './workloads';
import { REPLICA_PROFILES, runReplicaProfile } from './workloads/replica';
import { replicaMarkdown } from './workloads/replica-report';

interface CliOptions {
  quick: boolean;
  replica: boolean;
  reps?: number;
  workloads?: string[];
  contenders?: ContenderKey[];
  eventIds: 'v4' | 'v7';
  keepDatabases: boolean;
  cpuProf?: string;
  out: string;
  name?: string;
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('Benchmarks the event store against hand-written SQL on its own schema and against Emmett.\n' +
      'Uses DATABASE_URL when set (it creates and drops bench_lib, bench_hand and bench_emmett there), else an embedded PostgreSQL.')
    .option('--quick', 'short windows, 3 repetitions, levels 1 and 50 only (under 2 minutes)', false)
    .option('--replica', 'the replica profile instead: reads on a streaming standby against reads on the primary (bench/workloads/replica.ts)', false)
    .option('--reps <n>', 'interleaved repetitions per cell (default: 5, quick 3)', positiveInt)
    .option('--workloads <list>', `comma-separated subset of: ${WORKLOADS.map((w) => w.key).join(', ')} ` +
      '(a prefix such as "command" names every workload it starts)', list)
    .addOption(new Option('--contenders <list>', `comma-separated subset of: ${CONTENDER_KEYS.join(', ')}`).argParser(list))
    .addOption(new Option('--event-ids <kind>', 'uuid version of the event ids every contender writes').choices(['v4', 'v7']).default('v4'))
    .option('--keep-databases', 'keep the bench databases after the run', false)
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each contender\'s worker process to <dir>/<contender>.cpuprofile')
    .option('--out <dir>', 'folder for the result files', join(__dirname, 'results'))
    .option('--name <name>', 'base name of the result files (default: latest, quick with --quick)')
    .parse();
  const opts = program.opts<CliOptions>();
  if (opts.replica) return replicaProfile(opts);

  const contenders = opts.contenders ?? CONTENDERS.map((c) => c.key);
  for (const key of contenders) if (!CONTENDER_KEYS.includes(key)) program.error(`unknown contender ${key}`);
  if (!contenders.includes(BASELINE)) program.error(`the baseline (${BASELINE}) must be among the contenders`);
  for (const entry of opts.workloads ?? []) if (workloadsMatching(entry).length === 0) program.error(`unknown workload ${entry}`);
  const chosen = new Set((opts.workloads ?? []).flatMap((entry) => workloadsMatching(entry).map((w) => w.key)));
  const workloads = opts.workloads ? WORKLOADS.filter((w) => chosen.has(w.key)) : [...WORKLOADS];
  const profile = profileFor(opts.quick, { reps: opts.reps, eventIds: opts.eventIds });
  const name = opts.name ?? (opts.quick ? 'quick' : 'latest');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const results = await runSuite({
    profile,
    contenders: CONTENDERS.map((c) => c.key).filter((k) => contenders.includes(k)),
    workloads,
    keepDatabases: opts.keepDatabases,
    cpuProfileDir: opts.cpuProf ? resolve(opts.cpuProf) : undefined,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    log,
  });

  const baselineLabel = contenderInfo(BASELINE).label;
  for (const w of results.workloads) {
    process.stdout.write(`\n${workloadTable(w, baselineLabel)}\n`);
    for (const note of workloadNotes(w)) process.stdout.write(`${note}\n`);
    process.stdout.write(`${costsTable(w)}\n`);
  }
  process.stdout.write(`\nTargets (${contenderInfo('library').label}):\n${targetLines(results).join('\n')}\n`);

  mkdirSync(opts.out, { recursive: true });
  const file = (ext: string) => join(opts.out, `${name}.${ext}`);
  writeFileSync(file('json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(file('md'), markdownReport(results));
  writeFileSync(file('svg'), await renderChart(results));
  process.stdout.write(`\nwrote ${['json', 'md', 'svg'].map((e) => relative(process.cwd(), file(e))).join(', ')} ` +
    `in ${Math.round(results.durationSeconds)} s\n`);
}

async function replicaProfile(opts: CliOptions): Promise<void> {
  const profile = REPLICA_PROFILES[opts.quick ? 'quick' : 'full'];
  const results = await runReplicaProfile(opts.reps ? { ...profile, reps: opts.reps } : profile, (line) => process.stderr.write(`${line}\n`));
  const markdown = replicaMarkdown(results);
  process.stdout.write(`\n${markdown}`);
  mkdirSync(opts.out, { recursive: true });
  const name = opts.name ?? (opts.quick ? 'replica-quick' : 'replica');
  writeFileSync(join(opts.out, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(opts.out, `${name}.md`), markdown);
  process.stdout.write(`\nwrote ${relative(process.cwd(), join(opts.out, `${name}.{json,md}`))}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof CheckFailedError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
