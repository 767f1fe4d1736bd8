/**
 * `$all` live for the page, as server-sent events: each client gets its
 * own transient subscription (the store's `subscribe('$all', …)`, woken by
 * its notifications) through the follower the `tail` command uses, so the
 * events after the page's last one arrive without a gap or a repeat. The
 * filters are the same as the `$all` list's.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { followEvents } from '../subscriptions/event-follower';
import type { EventStore } from '../store/event-store';
import { ALL_STREAM } from '../protocol';
import { AllFilter, matchesFilter } from './all-filter';
import { eventView } from './event-view';
import { redactSecrets } from './redact';

/** A client that comes back after a long time starts from this far behind the end at most. */
const MAX_CATCH_UP = 1000;

export function liveEvents(c: Context, store: EventStore, after: number | undefined, filter: AllFilter, lastPosition: number): Response {
  return streamSSE(c, async (stream) => {
    const controller = new AbortController();
    stream.onAbort(() => controller.abort());
    // Writes are queued: the follower hands events over synchronously.
    let writing = Promise.resolve();
    const send = (event: string, data: unknown) => {
      writing = writing.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(() => controller.abort());
    };
    const from = after === undefined ? undefined : Math.max(after, lastPosition - MAX_CATCH_UP) + 1;
    try {
      await followEvents(store, {
        streamId: ALL_STREAM,
        from,
        selector: (event) => matchesFilter(event, filter),
        signal: controller.signal,
        onLive: (last) => send('live', { after: last }),
      }, (event) => send('event', eventView(event, { full: false })));
    } catch (error) {
      send('failure', { error: redactSecrets(error instanceof Error ? error.message : String(error)) });
    }
    await writing;
  });
}
