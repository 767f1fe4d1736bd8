/**
 * A child process for the multi-process subscription tests: it subscribes to
 * `$all` under a name in an existing schema and reports, one JSON line on
 * stdout each, every state change and every batch (start and end of the
 * handler, with timestamps, then the acknowledgement). A line "stop" on
 * stdin makes it unsubscribe and exit.
 *
 * Run: node -r reflect-metadata -r @swc/register test/support/subscription-child.ts
 * with TEST_DATABASE_URL, CHILD_SCHEMA, CHILD_SUBSCRIPTION, CHILD_HANDLER_MS and
 * optionally CHILD_LEASE_MS (the store's lockLeaseMs).
 */
import { EventStore } from '../../src';
import { report, runChild } from './reporting-child';

runChild(async () => {
  const handlerMs = Number(process.env.CHILD_HANDLER_MS ?? '5');
  const store = await EventStore.connect({
    clientUrl: process.env.TEST_DATABASE_URL,
    schema: process.env.CHILD_SCHEMA,
    mikroOrm: { pool: { min: 0, max: 3 } },
    subscriptions: process.env.CHILD_LEASE_MS ? { lockLeaseMs: Number(process.env.CHILD_LEASE_MS) } : undefined,
  });
  const sub = await store.subscribeToAllStreams(process.env.CHILD_SUBSCRIPTION!, async (events, subscription) => {
    report({ type: 'start', numbers: events.map((e) => e.eventNumber) });
    await new Promise((resolve) => setTimeout(resolve, handlerMs));
    report({ type: 'end' });
    await subscription.ack(events);
    report({ type: 'acked', number: events[events.length - 1].eventNumber });
  }, { bufferSize: 5, onError: (error) => report({ type: 'error', message: error.message }) });
  sub.on('state', (state) => report({ type: 'state', state }));
  report({ type: 'ready', state: sub.state });

  return async () => {
    await sub.unsubscribe();
    await store.close();
  };
});
