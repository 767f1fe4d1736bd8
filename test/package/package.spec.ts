/**
 * The package as a user gets it: `npm pack` (which builds dist/), then an
 * `npm install` of the tarball into a new project, where a CommonJS program,
 * an ES module program and a strict TypeScript program use it against the
 * test run's PostgreSQL, and the CLI runs from node_modules/.bin.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dropSchema, testDatabaseUrl, uniqueSchema } from '../support/stores';

const run = promisify(execFile);
const PROJECT = resolve(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;
const NODE_TYPES = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node'];

const CJS = `
const { relative } = require('node:path');
const { EventStore, ExpectedVersion } = require('mikro-orm-eventstore');
(async () => {
  const store = await EventStore.connect({ clientUrl: process.env.DATABASE_URL, schema: process.env.SCHEMA });
  try {
    const { streamVersion } = await store.appendToStream('cjs-1', ExpectedVersion.NoStream, [{ eventType: 'Made', data: { by: 'cjs' } }]);
    const [event] = await store.readStreamForward('cjs-1');
    const nestjs = relative(process.cwd(), require.resolve('mikro-orm-eventstore/nestjs'));
    console.log(\`cjs: version \${streamVersion} \${event.eventType} \${JSON.stringify(event.data)} nestjs at \${nestjs}\`);
  } finally {
    await store.close();
  }
})().catch((error) => { console.error(error); process.exitCode = 1; });
`;

const ESM = `
import { EventStore, ExpectedVersion, StreamNotFoundError } from 'mikro-orm-eventstore';
const store = await EventStore.connect({ clientUrl: process.env.DATABASE_URL, schema: process.env.SCHEMA });
try {
  await store.appendToStream('esm-1', ExpectedVersion.NoStream, [{ eventType: 'Made', data: { by: 'esm' } }, { eventType: 'Made', data: { by: 'esm again' } }]);
  const events = await store.readStreamForward('esm-1');
  const missing = await store.readStreamForward('nothing-here').catch((error) => error);
  console.log(\`esm: \${events.length} events, last \${JSON.stringify(events[1].data)}, unknown stream -> \${missing instanceof StreamNotFoundError ? missing.code : 'no error'}\`);
} finally {
  await store.close();
}
`;

const TYPED = `
import { Aggregate, AggregateRoot, Apply, DomainEvent, EventStore, RecordedEvent, WrongExpectedVersionError } from 'mikro-orm-eventstore';

@DomainEvent('PackageCounted')
class Counted {
  constructor(readonly by: number) {}
}

@Aggregate('PackageCounter')
class Counter extends AggregateRoot {
  total = 0;

  add(by: number): void {
    this.raise(new Counted(by));
  }

  @Apply(Counted)
  protected counted(event: Counted): void {
    this.total += event.by;
  }
}

async function main(): Promise<void> {
  const store: EventStore = await EventStore.connect({ clientUrl: process.env.DATABASE_URL, schema: process.env.SCHEMA });
  try {
    const counters = store.aggregateRepository(Counter);
    const counter = counters.create('c1');
    counter.add(2);
    counter.add(3);
    await counters.save(counter);
    const loaded: Counter = await counters.load('c1');
    const events: RecordedEvent[] = await store.readStreamForward('PackageCounter-c1');
    const conflict = await store.appendToStream('PackageCounter-c1', 1, [{ eventType: 'PackageCounted', data: { by: 1 } }]).catch((error: unknown) => error);
    const code = conflict instanceof WrongExpectedVersionError ? \`\${conflict.code} (actual \${conflict.actualVersion})\` : 'none';
    // Never called: it only has to fail to compile (the declarations are typed, not any).
    // @ts-expect-error the stream id is a string
    const wrong = () => store.readStreamForward(42);
    void wrong;
    console.log(\`typed: total \${loaded.total}, \${events.length} events, conflict \${code}\`);
  } finally {
    await store.close();
  }
}

void main();
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    outDir: 'out',
    // Our declarations are checked too: they must compile in a strict project without extra @types.
    skipLibCheck: false,
  },
  files: ['typed.ts'],
};

describe('the npm package, installed from its tarball into a new project', function () {
  this.timeout(240_000);
  let work: string;
  let consumer: string;
  let files: string[];
  /** The consumer's type-check, started once the project is written; it runs while the programs run. */
  let typeCheck: Promise<unknown>;
  const schemas = [uniqueSchema('pkg_cjs'), uniqueSchema('pkg_esm'), uniqueSchema('pkg_ts')];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mikro-orm-eventstore-package-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: PROJECT, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed.files.map((file) => file.path);
    consumer = join(work, 'consumer');
    await run('mkdir', [consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename), `@types/node@${NODE_TYPES}`], { cwd: consumer });
    writeFileSync(join(consumer, 'program.cjs'), CJS);
    writeFileSync(join(consumer, 'program.mjs'), ESM);
    writeFileSync(join(consumer, 'typed.ts'), TYPED);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    typeCheck = run(process.execPath, [join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: consumer })
      .then(() => undefined, (error: unknown) => error);
  });

  after(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    for (const schema of schemas) await dropSchema(schema);
  });

  function node(args: string[], schema: string) {
    return run(process.execPath, args, { cwd: consumer, env: { ...process.env, DATABASE_URL: testDatabaseUrl(), SCHEMA: schema } });
  }

  it('ships the build with declarations and source maps, the CLI and nothing of the tests, bench or examples', () => {
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/index.js.map', 'dist/src/nestjs/index.js', 'dist/src/nestjs/index.d.ts',
      'dist/migrations/index.js', 'src/ui/public/index.html', 'bin/mikro-orm-eventstore.js', 'package.json', 'README.md']) {
      expect(files, file).to.include(file);
    }
    expect(files.filter((file) => !/^(dist\/(src|migrations)\/|src\/ui\/public\/|bin\/|package\.json$|README\.md$)/.test(file))).to.deep.equal([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).to.deep.equal([]);
    const map = JSON.parse(readFileSync(join(consumer, 'node_modules', 'mikro-orm-eventstore', 'dist', 'src', 'index.js.map'), 'utf8')) as { sourcesContent?: string[] };
    expect(map.sourcesContent?.[0], 'the maps carry their sources').to.include('export { EventStore }');
  });

  it('a CommonJS program requires it and uses a real PostgreSQL', async () => {
    const { stdout } = await node(['program.cjs'], schemas[0]);
    expect(stdout.trim()).to.equal('cjs: version 1 Made {"by":"cjs"} nestjs at node_modules/mikro-orm-eventstore/dist/src/nestjs/index.js');
  });

  it('an ES module program imports its named exports', async () => {
    const { stdout } = await node(['program.mjs'], schemas[1]);
    expect(stdout.trim()).to.equal('esm: 2 events, last {"by":"esm again"}, unknown stream -> stream_not_found');
  });

  it("the consumer's tsc --strict compiles a typed program (decorators, aggregates, typed errors), which runs", async () => {
    const failed = await typeCheck;
    if (failed) throw new Error(`tsc failed:\n${(failed as { stdout?: string }).stdout ?? String(failed)}`);
    const { stdout } = await node(['out/typed.js'], schemas[2]);
    expect(stdout.trim()).to.equal('typed: total 5, 2 events, conflict wrong_expected_version (actual 2)');
  });

  it('installs the CLI as a bin that runs from the build', async () => {
    const { stdout } = await run(join(consumer, 'node_modules', '.bin', 'mikro-orm-eventstore'), ['--version'], { cwd: consumer });
    expect(stdout.trim()).to.equal(VERSION);
  });
});
