/**
 * The event browser's web server: the page's files, the JSON API under
 * /api/, and `$all` live as server-sent events, on one port bound to
 * 127.0.0.1 unless told otherwise. It owns a store (for reads and
 * subscriptions), a small `pg` pool (for read-only status SQL) and the lag
 * sampler; `close()` releases all of them.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Pool } from 'pg';
import { EventStoreError, InvalidArgumentError, StreamDeletedError, StreamNotFoundError } from '../errors';
import type { ProjectionRunner } from '../projections/projection-runner';
import type { EventStore } from '../store/event-store';
import { AdminActions } from './admin';
import { apiRoutes } from './api';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT } from './defaults';
import { LagHistory } from './lag-history';
import { describeDatabase, redactSecrets } from './redact';
import { loadAssets } from './static-assets';
import { StatusReader } from './status-reader';

export interface UiServerOptions {
  /** The store to browse, opened by the caller and closed by it. */
  store: EventStore;
  /** Its database URL, for the status pool; never shown. */
  url: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Enables the write actions (each still needs a confirmation). */
  allowAdmin?: boolean;
  /** The projections that `--allow-admin` can rebuild (a runner that is not started). */
  runner?: ProjectionRunner;
  /** How often the subscriptions' lag is sampled for the chart; default 2000 ms. */
  lagSampleMs?: number;
  /** Failures of background work (the lag sampler, requests that failed unexpectedly), secrets removed. */
  onError?: (message: string) => void;
}

export interface UiServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? DEFAULT_UI_HOST;
  const onError = options.onError ?? (() => undefined);
  const pool = new Pool({ connectionString: options.url, max: 3, application_name: 'mikro-orm-eventstore ui' });
  pool.on('error', () => undefined);
  const reader = new StatusReader(pool, options.store.schema);
  const history = new LagHistory(reader, options.lagSampleMs ?? 2000);
  const admin = new AdminActions(options.allowAdmin === true, options.runner);
  const hosts = new Set<string>();
  const app = buildApp({ store: options.store, reader, history, admin, database: describeDatabase(options.url) }, hosts, onError);

  const server = await listen(app, host, options.port ?? DEFAULT_UI_PORT);
  history.start((error) => onError(`lag sample failed: ${redactSecrets(error.message)}`));
  const port = (server.address() as AddressInfo).port;
  if (LOOPBACK.includes(host)) for (const name of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${name}:${port}`);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      history.stop();
      // Live pages hold connections open: end them so that close() returns.
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

/** Addresses that only this machine reaches. */
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

/**
 * `hosts`: the Host headers accepted, when listening on a loopback address
 * (empty: any). A web site the person visits cannot then reach the page
 * through a name of its own that resolves to 127.0.0.1 (DNS rebinding).
 */
function buildApp(ctx: Parameters<typeof apiRoutes>[0], hosts: ReadonlySet<string>, onError: (message: string) => void): Hono {
  const assets = loadAssets();
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (hosts.size > 0 && !hosts.has(c.req.header('host') ?? '')) return c.json({ error: 'unexpected Host header: open the page by its address (127.0.0.1 or localhost)' }, 403);
    await next();
    // The page loads only its own files; no other site may frame it.
    c.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });
  app.route('/api', apiRoutes(ctx));
  app.get('*', (c) => {
    const asset = assets.get(c.req.path === '/' ? '/index.html' : c.req.path);
    if (!asset) return c.text('not found', 404);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.contentType });
  });
  app.onError((error, c) => {
    const { status, message } = httpError(error);
    if (status >= 500) onError(`${c.req.method} ${c.req.path}: ${message}`);
    return c.json({ error: message }, status);
  });
  return app;
}

/** The store's own errors keep their message and get the status that fits; anything else is a 500. */
function httpError(error: unknown): { status: ContentfulStatusCode; message: string } {
  const message = redactSecrets(error instanceof Error ? error.message.split('\n')[0] : String(error));
  const status = (error as { status?: unknown }).status;
  if (error instanceof EventStoreError && typeof status === 'number') return { status: status as ContentfulStatusCode, message };
  if (error instanceof InvalidArgumentError) return { status: 400, message };
  if (error instanceof StreamNotFoundError) return { status: 404, message };
  if (error instanceof StreamDeletedError) return { status: 410, message };
  if (error instanceof EventStoreError) return { status: 409, message };
  return { status: 500, message };
}

function listen(app: Hono, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}
