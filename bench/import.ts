/**
 * Import throughput against the COPY floor: N exported events (100 streams,
 * interleaved, small JSON bodies) are imported with `importEvents`, and the
 * same rows are copied into a bare table of the same columns, in the same
 * run. Prints events/s of both and their ratio.
 *
 *   npm run bench:import [-- --events 20000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EventStore, importEvents } from '../src';
import type { ExportedEvent } from '../src';
import { startDatabase } from '../support/database';

function records(count: number): ExportedEvent[] {
  const versions = new Map<string, number>();
  const createdAt = new Date().toISOString().replace('Z', '000Z');
  return Array.from({ length: count }, (_, i) => {
    const streamId = `bench-${i % 100}`;
    const streamVersion = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, streamVersion);
    return {
      kind: 'event', eventId: randomUUID(), streamId, streamVersion, eventType: 'BenchEvent',
      data: { i, name: `customer ${i}`, amount: i * 3 }, metadata: { user: 'bench' },
      causationId: randomUUID(), correlationId: randomUUID(), createdAt,
    };
  });
}

function copyLine(r: ExportedEvent): string {
  return [r.eventId, r.streamId, r.streamVersion, r.eventType, JSON.stringify(r.data), JSON.stringify(r.metadata), r.causationId, r.correlationId, r.createdAt].join('\t') + '\n';
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--events');
  const count = flag > 0 ? Number(process.argv[flag + 1]) : 20_000;
  const rows = records(count);
  const database = await startDatabase();
  const schema = `bench_import_${randomBytes(3).toString('hex')}`;
  const store = await EventStore.connect({ clientUrl: database.url, schema });
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`create table ${schema}.copy_floor (event_id uuid primary key, stream_id text, stream_version bigint,
      event_type text, data jsonb, metadata jsonb, causation_id uuid, correlation_id uuid, created_at timestamptz)`);
    const floorStart = process.hrtime.bigint();
    await pipeline(Readable.from(rows.map(copyLine)), client.query(copyFrom(`copy ${schema}.copy_floor from stdin`)));
    const floorSeconds = Number(process.hrtime.bigint() - floorStart) / 1e9;

    const importStart = process.hrtime.bigint();
    await importEvents(store, (async function* () { yield* rows; })());
    const importSeconds = Number(process.hrtime.bigint() - importStart) / 1e9;

    const floor = count / floorSeconds;
    const imported = count / importSeconds;
    console.log(`events: ${count}`);
    console.log(`COPY floor: ${Math.round(floor)} events/s`);
    console.log(`importEvents: ${Math.round(imported)} events/s`);
    console.log(`ratio: ${(imported / floor).toFixed(2)}x`);
  } finally {
    await client.query(`drop schema ${schema} cascade`).catch(() => undefined);
    await client.end();
    await store.close();
    await database.stop();
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
