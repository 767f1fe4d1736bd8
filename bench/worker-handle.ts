/** The parent's side of a contender's worker process (bench/worker/main.ts). */
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { ContenderKey } from './contenders/contender';
import type { CheckResult, Envelope, Reply, Request, ResponseBody } from './worker/protocol';
import type { Sample } from './workloads/workload';

export class WorkerHandle {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (body: ResponseBody) => void; reject: (error: Error) => void }>();

  /** `cpuProfileDir`: the worker writes a V8 CPU profile of its whole life there (node --cpu-prof). */
  constructor(readonly key: ContenderKey, cpuProfileDir?: string) {
    const profiling = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir, '--cpu-prof-name', `${key}.cpuprofile`] : [];
    this.child = fork(join(__dirname, 'worker', 'main.ts'), [], {
      execArgv: ['-r', 'reflect-metadata', '-r', '@swc/register', ...profiling],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply.body);
      else waiter.reject(new Error(`${key}: ${reply.error}`));
    });
    this.child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${key} worker exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  request(request: Request): Promise<ResponseBody> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request } satisfies Envelope);
    });
  }

  check(): Promise<CheckResult> {
    return this.request({ type: 'check' }) as Promise<CheckResult>;
  }

  run(workload: string, level: number): Promise<Sample> {
    return this.request({ type: 'run', workload, level }) as Promise<Sample>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ type: 'close' }).catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}
