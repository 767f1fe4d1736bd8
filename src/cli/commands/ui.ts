/**
 * `ui`: serves the event browser, a local web page for streams, a stream's
 * events, `$all` live, and subscriptions and projections with their lag,
 * until Ctrl-C. Read-only unless `--allow-admin` (then projections of
 * `--module` can be rebuilt, each after a confirmation in the page). Bound
 * to 127.0.0.1 by default; the database URL is never printed.
 */
import type { Command } from 'commander';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliNoStoreError, CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { loadProjectionModule } from '../projection-module';
import { readStoreState } from '../store-state';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT } from '../../ui/defaults';

interface UiFlags extends ConnectionFlags {
  port: string;
  host: string;
  allowAdmin?: boolean;
  module?: string;
}

export interface UiCommandOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  allowAdmin: boolean;
  modulePath?: string;
}


export function registerUi(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('ui').description('serve a local, read-only web page to browse streams, $all, subscriptions and projections'))
    .option('--port <port>', 'the port to listen on (0: any free port)', String(DEFAULT_UI_PORT))
    .option('--host <host>', 'the address to listen on; other than 127.0.0.1 exposes the page to the network', DEFAULT_UI_HOST)
    .option('--allow-admin', 'allow rebuilding projections and replaying parked events from the page (each confirmed)')
    .option('--module <path>', 'with --allow-admin: module exporting `projections` (and optionally `entities`) that the page may rebuild')
    .action(async (flags: UiFlags) => {
      const settings = resolveConnection(flags, io.env);
      const options = resolveUiOptions(flags);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runUi(settings, options, io, controller.signal);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

export function resolveUiOptions(flags: UiFlags): UiCommandOptions {
  const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliConfigurationError(`invalid --port: expected 0 to 65535, got ${JSON.stringify(flags.port)}`);
  const host = flags.host.trim();
  if (host === '' || /[\s/]/.test(host)) throw new CliConfigurationError(`invalid --host: expected an address or host name, got ${JSON.stringify(flags.host)}`);
  if (flags.module !== undefined && flags.allowAdmin !== true) throw new CliConfigurationError('--module is only used with --allow-admin');
  return { host, port, allowAdmin: flags.allowAdmin === true, modulePath: flags.module };
}

/** Serves the page until `signal` aborts. */
export async function runUi({ url, schema }: ConnectionSettings, options: UiCommandOptions, io: CliIo, signal: AbortSignal, onStarted?: (url: string) => void): Promise<void> {
  const loaded = options.modulePath === undefined ? undefined : loadProjectionModule(options.modulePath);
  // Opening a store on a schema without one would create it: refused instead.
  const state = await withDatabase(url, (client) => readStoreState(client, schema));
  if (!state.hasStore) throw new CliNoStoreError(schema);
  if (state.pending.length > 0) {
    throw new CliRefusedError(`the event store in schema "${schema}" has pending migrations: apply them first with: mikro-orm-eventstore migrate --schema ${schema}`);
  }
  if (signal.aborted) return;
  // Loaded on demand: MikroORM and the web server take a while to load.
  const { EventStore } = require('../../store/event-store') as typeof import('../../store/event-store');
  const { startUiServer } = require('../../ui/server') as typeof import('../../ui/server');
  // No sequencer sweep of its own: the page reads, and the writers' stores number their events.
  const store = await EventStore.connect({ clientUrl: url, schema, sequencerIntervalMs: 0, entities: loaded?.entities as never });
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const runner = loaded ? store.projections(loaded.projections as object[]) : undefined;
    const server = await startUiServer({
      store, url, host: options.host, port: options.port, allowAdmin: options.allowAdmin, runner,
      onError: (message) => io.stderr(`warning: ${message}\n`),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new CliConfigurationError(`port ${options.port} on ${options.host} is in use: pick another with --port`);
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new CliConfigurationError(`cannot listen on ${options.host}: ${error.code}`);
      throw error;
    });
    println(io, `event browser at ${server.url}/ (${options.allowAdmin ? 'admin actions allowed' : 'read-only'}; Ctrl-C to stop)`);
    onStarted?.(server.url);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await server.close();
  } finally {
    clearInterval(keepAlive);
    await store.close();
  }
}
