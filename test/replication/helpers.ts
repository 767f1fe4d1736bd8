/** Stores whose reads go to the suite's standby, and control of that standby's replay. */
import { Client } from 'pg';
import { EventStore, EventStoreConnectOptions } from '../../src';
import type { Standby } from '../../support/standby';
import { testDatabaseUrl, uniqueSchema } from '../support/stores';
import { sleep } from '../support/wait';

export async function replicaStore(standby: Standby, schema: string, options: Omit<EventStoreConnectOptions, 'clientUrl' | 'schema'> = {}): Promise<EventStore> {
  return EventStore.connect({ clientUrl: testDatabaseUrl(), replicaUrl: standby.url, schema, ...options });
}

/** A store on the primary alone, in `schema` (another writer of the same store). */
export async function primaryStore(schema: string, options: Omit<EventStoreConnectOptions, 'clientUrl' | 'schema'> = {}): Promise<EventStore> {
  return EventStore.connect({ clientUrl: testDatabaseUrl(), schema, ...options });
}

export { uniqueSchema };
export { sleep };

export async function onStandby<T>(standby: Standby, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: standby.url });
  // A standby stopped meanwhile fails the query; its notice must not also surface as an uncaught error.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Stops replay on the standby: it keeps receiving WAL but shows nothing new (a standby that falls behind). */
export async function pauseReplay(standby: Standby): Promise<void> {
  await onStandby(standby, (c) => c.query('select pg_wal_replay_pause()'));
}

export async function resumeReplay(standby: Standby): Promise<void> {
  await onStandby(standby, (c) => c.query('select pg_wal_replay_resume()'));
}

/** Resolves with the promise's outcome, or 'pending' if it has not settled after `ms`. */
export async function stateAfter<T>(promise: Promise<T>, ms: number): Promise<'pending' | 'settled'> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await sleep(ms);
  return settled ? 'settled' : 'pending';
}
