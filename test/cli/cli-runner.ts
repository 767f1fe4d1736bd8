/**
 * Runs the command line tool for tests: as a child process through the real
 * bin (what users run), or in-process through `runCli` with captured output
 * (cheaper, for the cases that do not need a process of their own).
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program';
import { testDatabaseUrl } from '../support/stores';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = join(__dirname, '..', '..', 'bin', 'mikro-orm-eventstore.js');

/**
 * `node bin/mikro-orm-eventstore.js ...args` with DATABASE_URL set to the
 * test database (`env` overrides; `undefined` removes a variable). It runs
 * in a temporary folder, so nothing depends on the working directory.
 */
export function runBin(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: testDatabaseUrl() };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv, cwd: tmpdir(), timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** `runCli(args)` in this process, DATABASE_URL being the test database unless `env` says otherwise. */
export async function runInProcess(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: testDatabaseUrl() }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  return { code, stdout, stderr };
}

/** The lines of an output, without the final newline. */
export function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
