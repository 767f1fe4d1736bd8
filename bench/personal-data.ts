/**
 * `npm run bench:personal-data [-- --quick]`: what crypto-shredding costs.
 * The same event with and without `@PersonalData` fields, appended one event
 * per append (one caller) and read back through the domain layer (a stream
 * read of 100 events, revealed and turned into instances), in interleaved
 * repetitions on one store. Run alone, like the other benchmarks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSubject, DomainEvent, EventSerializer, EventStore, ExpectedVersion, PersonalData } from '../src';
import { Client } from 'pg';
import { startDatabase } from '../support/database';

@DomainEvent('BenchPlainRegistered')
class PlainRegistered {
  customerId!: string;
  email!: string;
  name!: string;
  plan!: string;
}

@DomainEvent('BenchPersonalRegistered')
class PersonalRegistered {
  @DataSubject() customerId!: string;
  @PersonalData() email!: string;
  @PersonalData() name!: string;
  plan!: string;
}

type Kind = 'plain' | 'personal';
const quick = process.argv.includes('--quick');
const WINDOW_MS = quick ? 1500 : 5000;
const REPS = quick ? 3 : 5;
const serializer = new EventSerializer();

function event(kind: Kind, customerId: string): object {
  const values = { customerId, email: `${customerId}@example.com`, name: 'Ada Lovelace', plan: 'gold' };
  return Object.assign(kind === 'plain' ? new PlainRegistered() : new PersonalRegistered(), values);
}

async function appendsPerSecond(store: EventStore, kind: Kind): Promise<number> {
  const subject = randomUUID();
  const stream = `bench-${kind}-${subject}`;
  let ops = 0;
  const end = Date.now() + WINDOW_MS;
  const start = process.hrtime.bigint();
  while (Date.now() < end) {
    await store.appendToStream(stream, ExpectedVersion.Any, serializer.serializeAll([event(kind, subject)]));
    ops++;
  }
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function readEventsPerSecond(store: EventStore, stream: string): Promise<number> {
  let events = 0;
  const end = Date.now() + WINDOW_MS;
  const start = process.hrtime.bigint();
  while (Date.now() < end) {
    const page = await store.revealPersonalData(await store.readStreamForward(stream, 0, 100));
    for (const recorded of page) serializer.deserialize(recorded);
    events += page.length;
  }
  return events / (Number(process.hrtime.bigint() - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const database = await startDatabase();
  const store = await EventStore.connect({ clientUrl: database.url, schema: `bench_pd_${randomBytes(3).toString('hex')}`, personalData: { masterKey: randomBytes(32) } });
  try {
    const streams: Record<Kind, string> = { plain: 'read-plain', personal: 'read-personal' };
    for (const kind of ['plain', 'personal'] as const) {
      await store.appendToStream(streams[kind], ExpectedVersion.NoStream, serializer.serializeAll(Array.from({ length: 100 }, (_, i) => event(kind, `subject-${i}`))));
    }
    const results: Record<string, number[]> = {};
    const add = (key: string, value: number) => (results[key] ??= []).push(value);
    for (let rep = 0; rep < REPS; rep++) {
      for (const kind of ['plain', 'personal'] as const) add(`append ${kind}`, await appendsPerSecond(store, kind));
      for (const kind of ['plain', 'personal'] as const) add(`read ${kind}`, await readEventsPerSecond(store, streams[kind]));
    }
    const line = (what: string, unit: string) => {
      const plain = median(results[`${what} plain`]);
      const personal = median(results[`${what} personal`]);
      return `| ${what} | ${plain.toFixed(0)} ${unit} | ${personal.toFixed(0)} ${unit} | ${(personal / plain).toFixed(2)}x |`;
    };
    process.stdout.write(`personal data: ${REPS} repetitions of ${WINDOW_MS} ms, medians (two @PersonalData fields of four)\n\n`);
    process.stdout.write('| operation | plain event | personal event | ratio |\n|---|---|---|---|\n');
    process.stdout.write(`${line('append', 'appends/s')}\n${line('read', 'events/s')}\n`);
  } finally {
    const schema = store.schema;
    const client = new Client({ connectionString: database.url });
    await store.close();
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end());
    await database.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
