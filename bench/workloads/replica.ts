/**
 * The replica profile (`npm run bench -- --replica`): what a hot standby
 * takes off the primary. Writers load the primary while readers page `$all`
 * and `$all` subscriptions follow it, once with every read on the primary
 * and once with the reads on a streaming standby of it (the two modes
 * interleaved, repetition by repetition). Measured per mode: appended,
 * read and delivered events per second, and the primary's CPU per appended
 * event. Then read-your-writes: a read right after the same store's append,
 * on the primary and on the standby (there it waits for the standby's
 * replay), p50 and p99.
 *
 * Everything runs in this one process, so on a small machine the client's
 * own CPU is shared with both servers: compare the modes, not the figures
 * with other workloads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { EventStore, ExpectedVersion, type Subscription } from '../../src';
import { startDatabase } from '../../support/database';
import { startStandby } from '../../support/standby';
import { quantile } from '../report/stats';

export interface ReplicaProfile {
  name: 'quick' | 'full';
  reps: number;
  preloadEvents: number;
  writers: number;
  batchSize: number;
  readers: number;
  pageSize: number;
  subscriptions: number;
  windowMs: number;
  readYourWrites: number;
}

export const REPLICA_PROFILES: Record<'quick' | 'full', ReplicaProfile> = {
  full: { name: 'full', reps: 5, preloadEvents: 100_000, writers: 10, batchSize: 10, readers: 4, pageSize: 1000, subscriptions: 20, windowMs: 5000, readYourWrites: 500 },
  quick: { name: 'quick', reps: 2, preloadEvents: 10_000, writers: 4, batchSize: 10, readers: 2, pageSize: 1000, subscriptions: 5, windowMs: 2000, readYourWrites: 100 },
};

export type ReadMode = 'primary' | 'standby';

export interface WindowSample {
  mode: ReadMode;
  appendedEventsPerSecond: number;
  readEventsPerSecond: number;
  deliveredEventsPerSecond: number;
  /** Primary server CPU per appended event, µs (null when the server is not on this machine). */
  primaryCpuUsPerAppend: number | null;
  /** The standby's server CPU over the window, as a share of one core. */
  standbyCores: number | null;
}

export interface ReplicaResults {
  profile: ReplicaProfile;
  server: string;
  startedAt: string;
  durationSeconds: number;
  windows: WindowSample[];
  /** Read-after-own-append latency, ms. */
  readYourWrites: Record<ReadMode, { p50: number; p99: number; max: number }>;
}

export async function runReplicaProfile(profile: ReplicaProfile, log: (line: string) => void): Promise<ReplicaResults> {
  const started = Date.now();
  const database = await startDatabase();
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  const url = new URL(database.url);
  url.pathname = '/bench_replica';
  await admin.query('drop database if exists bench_replica with (force)');
  await admin.query('create database bench_replica');
  const standby = await startStandby(url.toString(), { embedded: database.embedded });
  const stores: EventStore[] = [];
  try {
    const server = (await admin.query('select version() as v')).rows[0].v.split(' on ')[0] as string;
    log(`replica profile (${profile.name}): ${server}, ${database.embedded ? 'embedded' : 'DATABASE_URL'}; standby on port ${standby.port}`);
    const open = async (replica: boolean) => {
      const store = await EventStore.connect({ clientUrl: url.toString(), ...(replica ? { replicaUrl: standby.url } : {}), mikroOrm: { pool: { max: 20 } } });
      stores.push(store);
      return store;
    };
    const writer = await open(false);
    const readers: Record<ReadMode, EventStore> = { primary: await open(false), standby: await open(true) };
    await preload(writer, profile);
    await standby.caughtUp();
    const primaryPid = await postmasterOf(url.toString());
    const standbyPid = await postmasterOf(standby.url);

    const windows: WindowSample[] = [];
    for (let rep = 0; rep < profile.reps; rep++) {
      const order: ReadMode[] = rep % 2 === 0 ? ['primary', 'standby'] : ['standby', 'primary'];
      for (const mode of order) {
        await admin.query('checkpoint');
        const sample = await loadWindow(writer, readers[mode], mode, profile, primaryPid, standbyPid);
        windows.push(sample);
        log(`  ${mode.padEnd(7)} appended ${Math.round(sample.appendedEventsPerSecond)} ev/s, $all read ${Math.round(sample.readEventsPerSecond)} ev/s, ` +
          `delivered ${Math.round(sample.deliveredEventsPerSecond)} ev/s, primary CPU ${sample.primaryCpuUsPerAppend?.toFixed(1) ?? '-'} µs/event`);
      }
    }

    const readYourWrites = {} as ReplicaResults['readYourWrites'];
    for (const mode of ['primary', 'standby'] as const) {
      readYourWrites[mode] = await readAfterAppend(writer, readers[mode], mode, profile);
      log(`  read your writes on the ${mode}: p50 ${readYourWrites[mode].p50.toFixed(2)} ms, p99 ${readYourWrites[mode].p99.toFixed(2)} ms`);
    }
    return {
      profile,
      server: `${server} (${database.embedded ? 'embedded' : 'DATABASE_URL'})`,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      windows,
      readYourWrites,
    };
  } finally {
    for (const store of stores) await store.close().catch(() => undefined);
    await standby.dispose();
    await admin.query('drop database if exists bench_replica with (force)').catch(() => undefined);
    await admin.end();
    await database.stop();
  }
}

async function preload(store: EventStore, profile: ReplicaProfile): Promise<void> {
  const appends = Math.ceil(profile.preloadEvents / 100);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < appends) {
      const n = next++;
      await store.appendToStream(`preload-${n}`, ExpectedVersion.NoStream, batch(100, n));
    }
  }));
}

/** One measured window: writers on the primary, `$all` readers and subscriptions on `reader`. */
async function loadWindow(writer: EventStore, reader: EventStore, mode: ReadMode, profile: ReplicaProfile, primaryPid: number | null, standbyPid: number | null): Promise<WindowSample> {
  let delivered = 0;
  const subscriptions: Subscription[] = [];
  for (let i = 0; i < profile.subscriptions; i++) {
    subscriptions.push(await reader.subscribe('$all', async (events) => {
      delivered += events.length;
    }));
  }
  const [last] = await writer.readAllBackward(-1, 1);
  const span = last?.position ?? 1;
  const stopAt = Date.now() + profile.windowMs;
  const primaryBefore = cpuTicks(primaryPid);
  const standbyBefore = cpuTicks(standbyPid);
  const t0 = process.hrtime.bigint();
  let appended = 0;
  let read = 0;
  let stream = 0;
  const writers = Array.from({ length: profile.writers }, async () => {
    while (Date.now() < stopAt) {
      await writer.appendToStream(`load-${mode}-${stream++ % 500}`, ExpectedVersion.Any, batch(profile.batchSize, appended));
      appended += profile.batchSize;
    }
  });
  const readers = Array.from({ length: profile.readers }, async (_, r) => {
    let from = 1 + Math.floor((span * r) / Math.max(1, profile.readers));
    while (Date.now() < stopAt) {
      const page = await reader.readAllForward(from, profile.pageSize);
      read += page.length;
      from = page.length < profile.pageSize ? 1 : page[page.length - 1].position + 1;
    }
  });
  await Promise.all([...writers, ...readers]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const primaryCpu = cpuDelta(primaryBefore, cpuTicks(primaryPid));
  const standbyCpu = cpuDelta(standbyBefore, cpuTicks(standbyPid));
  // Deliveries counted over the window; what is still in flight afterwards is not.
  const deliveredInWindow = delivered;
  for (const subscription of subscriptions) await subscription.unsubscribe();
  return {
    mode,
    appendedEventsPerSecond: appended / seconds,
    readEventsPerSecond: read / seconds,
    deliveredEventsPerSecond: deliveredInWindow / seconds,
    primaryCpuUsPerAppend: primaryCpu === null ? null : (primaryCpu * TICK_US) / Math.max(1, appended),
    standbyCores: standbyCpu === null ? null : (standbyCpu * TICK_US) / (seconds * 1e6),
  };
}

/** Appends one event and reads it back at once, `readYourWrites` times, while writers load the primary. */
async function readAfterAppend(writer: EventStore, store: EventStore, mode: ReadMode, profile: ReplicaProfile): Promise<{ p50: number; p99: number; max: number }> {
  let stop = false;
  const load = Array.from({ length: Math.max(1, profile.writers / 2) }, async (_, w) => {
    let n = 0;
    while (!stop) await writer.appendToStream(`ryw-load-${mode}-${w}`, ExpectedVersion.Any, batch(profile.batchSize, n++));
  });
  const latencies: number[] = [];
  try {
    const streamId = `ryw-${mode}-${Date.now()}`;
    for (let i = 1; i <= profile.readYourWrites; i++) {
      await store.appendToStream(streamId, i - 1, batch(1, i));
      const t = process.hrtime.bigint();
      const [event] = await store.readStreamForward(streamId, i, 1);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (!event) throw new Error(`read your writes failed on the ${mode}: version ${i} not found`);
    }
  } finally {
    stop = true;
    await Promise.all(load);
  }
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] };
}

function batch(count: number, n: number) {
  return Array.from({ length: count }, (_, i) => ({ eventType: 'BenchReplica', data: { n, i, payload: 'x'.repeat(100) } }));
}

/** The postmaster of the server at `url`, when it runs on this machine. */
async function postmasterOf(url: string): Promise<number | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

const TICK_US = 10_000;

/** utime + stime (clock ticks) of a postmaster and its children, by pid. */
function cpuTicks(postmaster: number | null): Map<number, number> | null {
  if (postmaster === null) return null;
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (pid === postmaster || ppid === postmaster) ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks;
}

function cpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let sum = 0;
  for (const [pid, ticks] of after) sum += ticks - (before.get(pid) ?? 0);
  return sum;
}
