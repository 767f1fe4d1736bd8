/**
 * A separate store process for the process tests of the `$all` sequencer.
 *
 *   append <schema> <label> <appends>   appends batches with its own store, prints each committed
 *                                       event id as `id <uuid>`, then `done`
 *   stall-sweep <schema> <label>        commits appends inside caller transactions, then numbers
 *                                       them under the sequencer lock and never commits: prints
 *                                       `id <uuid>` for what it committed, then `holding`, and
 *                                       waits to be killed
 */
import { Client } from 'pg';
import { EventStore, ExpectedVersion } from '../../../src';

const [mode, schema, label, appendsArg] = process.argv.slice(2);
const url = process.env.TEST_DATABASE_URL!;
const say = (line: string) => process.stdout.write(`${line}\n`);

async function append(): Promise<void> {
  const store = await EventStore.connect({ clientUrl: url, schema });
  const appends = Number(appendsArg);
  for (let i = 0; i < appends; i++) {
    const stream = i % 3 === 0 ? `shared-${i % 7}` : `${label}-${i % 11}`;
    const batch = Array.from({ length: 1 + (i % 4) }, (_, n) => ({ eventType: 'Child', data: { label, i, n }, eventId: crypto.randomUUID() }));
    await store.appendToStream(stream, ExpectedVersion.Any, batch);
    for (const e of batch) say(`id ${e.eventId}`);
  }
  await store.close();
  say('done');
}

async function stallSweep(): Promise<void> {
  const s = `"${schema}"`;
  const lock = new Client({ connectionString: url });
  const writer = new Client({ connectionString: url });
  await lock.connect();
  await writer.connect();
  await lock.query('begin');
  await lock.query(`select pg_advisory_xact_lock(${s}.es_sequencer_key(), 0)`);
  for (let i = 0; i < 5; i++) {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    await writer.query('begin');
    await writer.query(
      `select * from ${s}.es_append($1, -1, $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::uuid[], $7::uuid[], false)`,
      [`${label}-${i}`, ids, ['Stalled', 'Stalled'], ['{}', '{}'], [null, null], [null, null], [null, null]],
    );
    await writer.query('commit');
    for (const id of ids) say(`id ${id}`);
  }
  const { rows } = await lock.query(`select ${s}.es_sweep(null) as last`);
  say(`holding ${rows[0].last}`);
  await new Promise(() => undefined);
}

(mode === 'append' ? append() : stallSweep()).catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
