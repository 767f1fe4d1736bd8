/**
 * Where the time goes, per measured section: the worker's own CPU
 * (process.cpuUsage), the CPU of the PostgreSQL server's processes (children
 * of its postmaster, read from /proc per pid in 10 ms ticks, so that a backend
 * that exits between the two readings cannot make the sum negative), the WAL
 * written, and the statements sent (each one a round trip).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';

export interface Usage {
  elapsedMs: number;
  clientCpuUs: number;
  /** null when the server does not run on this machine. */
  serverCpuUs: number | null;
  walBytes: number | null;
  queries: number;
}

export interface Mark {
  t: bigint;
  cpu: NodeJS.CpuUsage;
  server: Map<number, number> | null;
  lsn: string | null;
  queries: number;
}

const TICK_US = 10_000;
let queries = 0;
let counting = false;

/** Counts every statement any pg client of this process sends (the probe's own excepted). */
export function countQueries(): void {
  if (counting) return;
  counting = true;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: { benchProbe?: boolean }, ...args: unknown[]) {
    if (!this.benchProbe) queries++;
    return original.apply(this, args);
  };
}

export class Meter {
  private probe?: Client;

  constructor(private readonly url: string, private readonly postmasterPid: number | null) {}

  async open(): Promise<void> {
    const probe = new Client({ connectionString: this.url });
    (probe as unknown as { benchProbe: boolean }).benchProbe = true;
    await probe.connect();
    this.probe = probe;
  }

  async close(): Promise<void> {
    await this.probe?.end();
  }

  /** Marks the start of a measured section (the synchronous readings first). */
  async begin(): Promise<Mark> {
    const mark: Mark = { t: process.hrtime.bigint(), cpu: process.cpuUsage(), server: this.serverTicks(), lsn: null, queries };
    mark.lsn = await this.lsn();
    return mark;
  }

  /** Ends a section begun with `begin()`; the synchronous readings are taken before any await. */
  async end(mark: Mark): Promise<Usage> {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage(mark.cpu);
    const server = this.serverTicks();
    const q = queries - mark.queries;
    const walBytes = await this.walSince(mark.lsn);
    return {
      elapsedMs: Number(t - mark.t) / 1e6,
      clientCpuUs: cpu.user + cpu.system,
      serverCpuUs: mark.server && server ? serverDelta(mark.server, server) * TICK_US : null,
      walBytes,
      queries: q,
    };
  }

  async checkpoint(): Promise<void> {
    await this.probe!.query('checkpoint');
  }

  private async lsn(): Promise<string | null> {
    try {
      return (await this.probe!.query('select pg_current_wal_insert_lsn()::text as lsn')).rows[0].lsn;
    } catch {
      return null;
    }
  }

  private async walSince(lsn: string | null): Promise<number | null> {
    if (!lsn) return null;
    const { rows } = await this.probe!.query('select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::float8 as bytes', [lsn]);
    return Number(rows[0].bytes);
  }

  /** utime + stime of every child of the postmaster, by pid. */
  private serverTicks(): Map<number, number> | null {
    if (this.postmasterPid === null) return null;
    const ticks = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const stat = readStat(pid);
      if (stat && (stat.ppid === this.postmasterPid || pid === this.postmasterPid)) ticks.set(pid, stat.ticks);
    }
    return ticks;
  }
}

function serverDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of after) sum += ticks - (before.get(pid) ?? 0);
  return sum;
}

function readStat(pid: number): { ppid: number; ticks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}
