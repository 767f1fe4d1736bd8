/**
 * The JSON API under /api/ that the page uses. Reads go through the
 * store's public API (streams, events, `$all`) or the read-only SQL of
 * StatusReader (subscriptions, lookups by id); writes exist only as the
 * admin actions. Bad parameters are answered with 400 and a message.
 */
import { Hono } from 'hono';
import type { EventStore } from '../store/event-store';
import { ADMIN_ACTIONS, AdminActions } from './admin';
import { readAllPage } from './all-filter';
import { UiBadRequestError, UiNotFoundError } from './errors';
import { eventView } from './event-view';
import type { LagHistory } from './lag-history';
import { liveEvents } from './live-events';
import { choiceParam, intParam, streamIdParam, textParam, typesParam, uuidParam } from './params';
import type { StatusReader } from './status-reader';

export interface ApiContext {
  store: EventStore;
  reader: StatusReader;
  history: LagHistory;
  admin: AdminActions;
  /** What the page shows about the database (no credentials). */
  database: string;
}

const MAX_PAGE = 200;
const MAX_BODY_BYTES = 4096;

export function apiRoutes(ctx: ApiContext): Hono {
  const { store, reader, history, admin } = ctx;
  const api = new Hono();

  api.get('/overview', async (c) => {
    const [overview, parked] = await Promise.all([reader.overview(), reader.parkedEvents(0)]);
    return c.json({
      schema: reader.schema,
      database: ctx.database,
      ...overview,
      parkedEvents: parked !== null,
      admin: { enabled: admin.enabled, rebuild: admin.rebuildable, replayParked: admin.canReplayParked },
    });
  });

  api.get('/streams', async (c) => {
    const q = c.req.query();
    const page = await store.paginateStreams({
      page: intParam(q, 'page', 1, 1, 1_000_000),
      pageSize: intParam(q, 'pageSize', 25, 1, MAX_PAGE),
      search: textParam(q, 'search'),
      sortBy: 'createdAt',
      sortDirection: 'desc',
    });
    return c.json({
      ...page,
      entries: page.entries.map((entry) => ({
        streamId: entry.streamId,
        version: entry.streamVersion,
        createdAt: entry.createdAt.toISOString(),
        deletedAt: entry.deletedAt ? entry.deletedAt.toISOString() : null,
        status: entry.status,
      })),
    });
  });

  api.get('/streams/:id', async (c) => {
    const info = await store.streamInfo(streamIdParam(c.req.param('id')));
    return c.json({ streamId: info.streamId, version: info.streamVersion, createdAt: info.createdAt.toISOString(), deletedAt: info.deletedAt?.toISOString() ?? null });
  });

  /** A page of a stream's events in version order; `direction` says which way from `from`. */
  api.get('/streams/:id/events', async (c) => {
    const streamId = streamIdParam(c.req.param('id'));
    const q = c.req.query();
    const direction = choiceParam(q, 'direction', ['forward', 'backward'] as const, 'backward');
    const count = intParam(q, 'count', 20, 1, MAX_PAGE);
    const from = intParam(q, 'from', direction === 'forward' ? 1 : -1, direction === 'forward' ? 0 : -1);
    const read = direction === 'forward' ? await store.readStreamForward(streamId, from, count) : await store.readStreamBackward(streamId, from, count);
    const events = [...read].sort((a, b) => a.eventNumber - b.eventNumber);
    const { streamVersion } = await store.streamInfo(streamId);
    const first = events[0]?.eventNumber;
    const last = events.at(-1)?.eventNumber;
    return c.json({
      streamId,
      version: streamVersion,
      events: events.map((event) => eventView(event, { full: false })),
      older: first !== undefined && first > 1 ? first - 1 : null,
      newer: last !== undefined && last < streamVersion ? last + 1 : null,
    });
  });

  /** `$all`, newest first from `before` (inclusive; default: the end), with the type and stream-prefix filters. */
  api.get('/all', async (c) => {
    const q = c.req.query();
    const page = await readAllPage(store, {
      direction: 'backward',
      start: intParam(q, 'before', -1, -1),
      count: intParam(q, 'count', 50, 1, MAX_PAGE),
      filter: { eventTypes: typesParam(q, 'type'), streamPrefix: textParam(q, 'prefix') },
    });
    return c.json({ events: page.events.map((event) => eventView(event, { full: false })), older: page.next, scanned: page.scanned });
  });

  api.get('/all/live', async (c) => {
    const q = c.req.query();
    const after = q.after === undefined || q.after === '' ? undefined : intParam(q, 'after', 0, 0);
    const filter = { eventTypes: typesParam(q, 'type'), streamPrefix: textParam(q, 'prefix') };
    const { lastPosition } = await reader.overview();
    return liveEvents(c, store, after, filter, lastPosition);
  });

  /** One event, whole: by `$all` position, or by event id. */
  api.get('/events/:ref', async (c) => {
    const ref = c.req.param('ref');
    const position = /^\d{1,16}$/.test(ref) ? Number(ref) : await reader.positionOfEvent(uuidParam(ref, 'event reference (a position or an event id)'));
    if (position === null || position < 1) throw new UiNotFoundError(`no event ${ref}`);
    const [event] = await store.readAllForward(position, 1);
    if (!event || event.position !== position) throw new UiNotFoundError(`no event at position ${position}`);
    return c.json(eventView(event, { full: true }));
  });

  /** The events that share a correlation id, in `$all` order. */
  api.get('/correlations/:id', async (c) => {
    const correlationId = uuidParam(c.req.param('id'), 'correlation id');
    const positions = await reader.correlatedPositions(correlationId, MAX_PAGE);
    const events = [];
    for (const position of positions) {
      const [event] = await store.readAllForward(position, 1);
      if (event?.position === position) events.push(eventView(event, { full: false }));
    }
    return c.json({ correlationId, events });
  });

  api.get('/subscriptions', async (c) => {
    const rows = await history.sample();
    return c.json({ subscriptions: rows.map((row) => ({ ...row, history: history.historyOf(row) })) });
  });

  api.get('/parked', async (c) => {
    const limit = intParam(c.req.query(), 'limit', 50, 1, MAX_PAGE);
    const events = await reader.parkedEvents(limit);
    return c.json({ available: events !== null, events: events ?? [] });
  });

  api.post('/admin/confirmations', async (c) => {
    const body = await jsonBody(c.req.raw);
    const action = ADMIN_ACTIONS.find((name) => name === body.action);
    if (!action) throw new UiBadRequestError(`invalid action: expected one of ${ADMIN_ACTIONS.join(', ')}, got ${JSON.stringify(body.action ?? null)}`);
    const target = stringOrUndefined(body.projection);
    if (!target) throw new UiBadRequestError('missing projection: the name of the projection');
    return c.json(admin.confirm(action, target));
  });

  api.post('/admin/projections/:name/rebuild', async (c) => {
    const body = await jsonBody(c.req.raw);
    return c.json(await admin.rebuild(c.req.param('name'), body.token));
  });

  api.post('/admin/projections/:name/replay-parked', async (c) => {
    const body = await jsonBody(c.req.raw);
    const { projection, replayed, failed } = await admin.replayParked(c.req.param('name'), body.token);
    return c.json({ projection, replayed, failed });
  });

  api.all('*', () => {
    throw new UiNotFoundError('no such API route');
  });
  return api;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A small JSON object body, sent as application/json (which a cross-site form cannot send). */
async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json')) {
    throw new UiBadRequestError('expected a JSON body (Content-Type: application/json)');
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new UiBadRequestError(`body too large: at most ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UiBadRequestError('invalid JSON body');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UiBadRequestError('expected a JSON object body');
  return body as Record<string, unknown>;
}
