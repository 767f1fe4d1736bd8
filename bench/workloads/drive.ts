/**
 * Runs an operation from N concurrent loops: a warm-up, then a measured
 * window. Throughput is the operations completed inside the window divided by
 * its length (steady state: what is still in flight at the end balances what
 * was in flight at the start). Operations still running when the window closes
 * are awaited but not counted.
 */
import type { Meter, Usage } from '../worker/meter';

export interface DriveOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Closes the window early after this many operations. */
  maxOps?: number;
}

export interface DriveResult {
  ops: number;
  events: number;
  usage: Usage;
}

/** `op(loop)` returns the number of events it wrote or read. */
export async function drive(meter: Meter, options: DriveOptions, op: (loop: number) => Promise<number>): Promise<DriveResult> {
  let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
  let ops = 0;
  let events = 0;
  let failure: unknown;
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  let closeWindow!: () => void;
  const windowClosed = new Promise<void>((resolve) => (closeWindow = resolve));

  const loop = async (index: number) => {
    while (phase !== 'stop') {
      let n: number;
      try {
        n = await op(index);
      } catch (error) {
        failure ??= error;
        phase = 'stop';
        closeWindow();
        return;
      }
      if (phase === 'measure') {
        ops++;
        events += n;
        if (ops >= maxOps) closeWindow();
      }
    }
  };

  const loops = Array.from({ length: options.concurrency }, (_, i) => loop(i));
  await sleep(options.warmupMs);
  if (phase === 'warmup') phase = 'measure';
  // begin() takes its clock and CPU readings before its first await, in this tick.
  const marking = meter.begin();
  const timer = setTimeout(closeWindow, options.durationMs);
  const mark = await marking;
  await windowClosed;
  clearTimeout(timer);
  const counted = { ops, events };
  phase = 'stop';
  const usage = await meter.end(mark);
  await Promise.all(loops);
  if (failure) throw failure;
  return { ...counted, usage };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function perSecond(count: number, usage: Usage): number {
  return usage.elapsedMs > 0 ? (count * 1000) / usage.elapsedMs : 0;
}

/** Runs `op` from `concurrency` loops for `ms`, unmeasured (process warm-up). */
export async function warmUp(ms: number, concurrency: number, op: (loop: number) => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async (_, loop) => {
    while (Date.now() < deadline) await op(loop);
  }));
}
