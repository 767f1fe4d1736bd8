/**
 * Child processes for the multi-process tests. A child reports one JSON line
 * per fact on stdout (`{ type, pid, at, ... }`); the parent collects them,
 * asks the child to stop with a "stop" line on stdin, or kills it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');

export interface ReportLine {
  type: string;
  pid: number;
  at: number;
}

/** The parent's side: a process running `script` (a TypeScript file under the repository). */
export class ReportingChild<L extends ReportLine> {
  readonly lines: L[] = [];
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcess;
  private stderr = '';

  constructor(script: string, env: Record<string, string>) {
    this.process = spawn(process.execPath, ['-r', 'reflect-metadata', '-r', '@swc/register', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => this.lines.push(JSON.parse(line) as L));
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
  }

  /** True once the child reported `ready`; throws with what it said if it reported `fatal`. */
  get ready(): boolean {
    if (this.lines.some((l) => l.type === 'fatal')) throw new Error(`child failed: ${JSON.stringify(this.lines)} ${this.stderr}`);
    return this.lines.some((l) => l.type === 'ready');
  }

  has(type: L['type']): boolean {
    return this.lines.some((l) => l.type === type);
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.process.kill(signal);
  }

  async stop(): Promise<number | null> {
    this.process.stdin!.write('stop\n');
    return this.exited;
  }
}

/** The child's side: one JSON line on stdout, synchronous on Linux pipes, so it is out before a SIGKILL can land. */
export function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...line, pid: process.pid, at: Date.now() })}\n`);
}

/** The child's side: runs `main`, calls `stop` on a "stop" line from the parent, reports and exits. */
export function runChild(main: () => Promise<() => Promise<void>>): void {
  main()
    .then((stop) => {
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (chunk: string) => {
        if (!chunk.includes('stop')) return;
        void (async () => {
          await stop();
          report({ type: 'stopped' });
          process.exit(0);
        })();
      });
    })
    .catch((error: Error) => {
      report({ type: 'fatal', message: error.message });
      process.exit(1);
    });
}
