/**
 * One benchmark run: every contender in a process and a database of its own,
 * a correctness check each, then every workload level in interleaved
 * repetitions (A B C, then the order rotated and reversed: C B A, B C A, ...),
 * so that drift and checkpoints hit every contender alike.
 */
import { BASELINE, contenderInfo, CONTENDERS } from './contenders';
import type { ContenderKey } from './contenders/contender';
import type { Profile } from './profile';
import { levelLabel } from './report/format';
import { machineInfo } from './report/machine';
import { BenchResults, LevelResult, summarizeCell, WorkloadResult } from './report/model';
import { judgeTargets, targetsFor } from './report/targets';
import { BenchServer } from './server';
import { WorkerHandle } from './worker-handle';
import type { Sample, Workload } from './workloads/workload';

export interface SuiteOptions {
  profile: Profile;
  contenders: ContenderKey[];
  workloads: Workload[];
  keepDatabases: boolean;
  /** Where each worker writes a CPU profile (`<contender>.cpuprofile`), when set. */
  cpuProfileDir?: string;
  command: string;
  log: (line: string) => void;
}

export class CheckFailedError extends Error {}

export async function runSuite(options: SuiteOptions): Promise<BenchResults> {
  const { profile, log } = options;
  const started = new Date();
  const server = await BenchServer.start();
  const workers: WorkerHandle[] = [];
  try {
    const info = await server.info();
    log(`PostgreSQL ${info.version.split(' on ')[0]} (${info.embedded ? 'embedded' : 'DATABASE_URL'}); ` +
      `server CPU ${info.postmasterPid ? 'measured from /proc' : 'not measurable (remote server)'}`);

    for (const key of options.contenders) {
      const url = await server.createDatabase(key);
      const worker = new WorkerHandle(key, options.cpuProfileDir);
      workers.push(worker);
      await worker.request({ type: 'open', contender: key, url, postmasterPid: info.postmasterPid, profile });
    }

    const checks: BenchResults['checks'] = {};
    for (const worker of workers) {
      const result = await worker.check();
      checks[worker.key] = result;
      for (const step of result.steps) log(`check ${contenderInfo(worker.key).label}: ${step.passed ? 'ok  ' : 'FAIL'} ${step.name} (${step.detail})`);
    }
    const failed = Object.entries(checks).filter(([, r]) => !r!.passed).map(([k]) => k);
    if (failed.length > 0) throw new CheckFailedError(`correctness check failed for ${failed.join(', ')}; nothing measured`);

    const workloads: WorkloadResult[] = [];
    for (const workload of options.workloads) workloads.push(await runWorkload(workload, workers, server, profile, log));

    for (const worker of workers.splice(0)) await worker.close();
    if (!options.keepDatabases) await server.dropDatabases();

    const finished = new Date();
    const { postmasterPid, ...serverInfo } = info;
    const results: BenchResults = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: (finished.getTime() - started.getTime()) / 1000,
      command: options.command,
      profile,
      machine: machineInfo(),
      server: { ...serverInfo, serverCpuMeasured: postmasterPid !== null },
      baseline: BASELINE,
      contenders: CONTENDERS.filter((c) => options.contenders.includes(c.key)),
      checks,
      workloads,
      targets: [],
    };
    results.targets = judgeTargets(results, targetsFor(profile.levels));
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await server.stop();
  }
}

async function runWorkload(
  workload: Workload,
  allWorkers: WorkerHandle[],
  server: BenchServer,
  profile: Profile,
  log: (line: string) => void,
): Promise<WorkloadResult> {
  const skipped: NonNullable<WorkloadResult['skipped']> = {};
  for (const worker of allWorkers) {
    const only = contenderInfo(worker.key).workloads;
    const reason = workload.skip?.[worker.key] ?? (only && !only.includes(workload.key) ? `runs ${only.join(', ')} only` : undefined);
    if (!reason) continue;
    skipped[worker.key] = reason;
    log(`${workload.title}: ${contenderInfo(worker.key).label} not run: ${reason}`);
  }
  const workers = allWorkers.filter((w) => !skipped[w.key]);
  const setup: WorkloadResult['setup'] = {};
  if (workload.prepare || workload.ownDatabase) {
    for (const worker of workers) {
      const t = Date.now();
      // The worker opens a second contender of its kind on the new database, for this workload's prepare and runs.
      const url = workload.ownDatabase ? await server.createDatabase(worker.key, workload.key) : undefined;
      setup[worker.key] = (await worker.request({ type: 'prepare', workload: workload.key, url })) as Record<string, number>;
      log(`${workload.title}: prepared ${contenderInfo(worker.key).label} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  }
  const levels: LevelResult[] = [];
  for (const level of workload.levels(profile)) {
    // A checkpoint before each level, so that one does not land in a single contender's window.
    await allWorkers[0].request({ type: 'checkpoint' });
    const samples = new Map<ContenderKey, Sample[]>(workers.map((w) => [w.key, []]));
    for (let rep = 0; rep < profile.reps; rep++) {
      for (const worker of repetitionOrder(workers, rep)) samples.get(worker.key)!.push(await worker.run(workload.key, level));
    }
    const baselineKey = workload.baseline && samples.has(workload.baseline) ? workload.baseline : BASELINE;
    const baseline = samples.get(baselineKey) ?? null;
    const cells = workers.map((w) => summarizeCell(w.key, samples.get(w.key)!, workload.metrics, w.key === baselineKey ? null : baseline));
    levels.push({ level, cells });
    const primary = workload.metrics[0];
    log(`${[workload.title, levelLabel(level, workload.levelName)].filter(Boolean).join(', ')}: ` +
      cells.map((c) => `${contenderInfo(c.contender).label} ${formatShort(c.metrics[primary.key].median, primary.unit)}`).join(', '));
  }
  const baselineKey = workload.baseline && workers.some((w) => w.key === workload.baseline) ? workload.baseline : BASELINE;
  return {
    key: workload.key, title: workload.title, levelName: workload.levelName, metrics: workload.metrics, setup, baseline: baselineKey,
    ...(Object.keys(skipped).length > 0 ? { skipped } : {}),
    ...(workload.cap ? { cap: workload.cap } : {}),
    levels,
  };
}

/** Rep k: the list rotated by k, reversed on odd reps. */
export function repetitionOrder<T>(items: readonly T[], rep: number): T[] {
  const k = rep % items.length;
  const rotated = [...items.slice(k), ...items.slice(0, k)];
  return rep % 2 === 1 ? rotated.reverse() : rotated;
}

function formatShort(value: number, unit: string): string {
  return unit === 'ms' ? `${value.toFixed(2)} ms` : `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}
