/**
 * The PostgreSQL server under the benchmark: DATABASE_URL when set, else the
 * embedded server of support/database.ts. Each contender gets a database of
 * its own on it (and one more per workload that needs an empty store), every
 * one dropped again at the end.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { Database, startDatabase } from '../support/database';
import type { ContenderKey } from './contenders/contender';

export interface ServerInfo {
  embedded: boolean;
  version: string;
  settings: Record<string, string>;
  /** The postmaster's pid when the server runs on this machine (for server CPU), else null. */
  postmasterPid: number | null;
}

const DATABASES: Record<ContenderKey, string> = { library: 'bench_lib', 'hand-sql': 'bench_hand', emmett: 'bench_emmett', 'no-seq': 'bench_noseq' };
const SETTINGS = ['shared_buffers', 'synchronous_commit', 'fsync', 'full_page_writes', 'wal_level', 'max_wal_size', 'jit', 'max_connections'];

export class BenchServer {
  private readonly created = new Set<string>();

  private constructor(private readonly database: Database) {}

  static async start(): Promise<BenchServer> {
    return new BenchServer(await startDatabase());
  }

  async stop(): Promise<void> {
    await this.database.stop();
  }

  /** Restarts an embedded server (settings that need a restart, such as shared_buffers). */
  async restart(): Promise<void> {
    await this.database.restart();
  }

  /** Creates the database (empty: an earlier one of the same name is dropped first) and returns its URL. */
  async createDatabase(key: ContenderKey, workload?: string): Promise<string> {
    const name = databaseName(key, workload);
    await this.admin(async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
      await c.query(`create database ${name}`);
    });
    this.created.add(name);
    const url = new URL(this.database.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Drops every database this run created. */
  async dropDatabases(): Promise<void> {
    for (const name of this.created) await this.admin((c) => c.query(`drop database if exists ${name} with (force)`));
    this.created.clear();
  }

  async info(): Promise<ServerInfo> {
    return this.admin(async (c) => {
      const version = (await c.query('select version() as v')).rows[0].v as string;
      const settings: Record<string, string> = {};
      for (const name of SETTINGS) settings[name] = (await c.query(`select current_setting('${name}') as v`)).rows[0].v;
      const backend = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      return { embedded: this.database.embedded, version, settings, postmasterPid: localPostmaster(backend) };
    });
  }

  private async admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.database.url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
}

/** Contender `key`'s database, or the one of its `workload` that runs on a database of its own. */
export function databaseName(key: ContenderKey, workload?: string): string {
  return workload ? `${DATABASES[key]}_${workload.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}` : DATABASES[key];
}

/** The parent of our backend, if that backend is a postgres process on this machine. */
function localPostmaster(backendPid: number): number | null {
  try {
    if (!readFileSync(`/proc/${backendPid}/comm`, 'utf8').startsWith('postgres')) return null;
    const status = readFileSync(`/proc/${backendPid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : null;
  } catch {
    return null;
  }
}
