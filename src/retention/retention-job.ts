/**
 * The retention job: trims every stream that has limits down to them, in
 * short transactions, so that appends and readers never wait long.
 *
 * A pass claims a few streams at a time (SKIP LOCKED, committed at once:
 * processes running the job together take different streams and never
 * wait on each other), works out the version each stream should start at,
 * and truncates up to it `batchSize` versions per transaction. Truncation
 * is idempotent, so a stream trimmed twice (two passes overlapping) loses
 * nothing more than its limits say.
 */
import type { Logger } from '@mikro-orm/core';
import { InvalidArgumentError } from '../errors';
import type { StoreContext } from '../repositories/store-context';
import { assertPositiveInteger, invalidValue } from '../validation';
import { ClaimedRow, TargetRow, TruncateRow, TruncateStatus, retentionStatements } from './sql/retention.sql';

export interface RetentionJobOptions {
  /** Pause between passes, in ms; default 60,000. */
  intervalMs?: number | undefined;
  /** Versions removed per transaction; default 1,000. */
  batchSize?: number | undefined;
  /** Streams claimed at a time; default 100. */
  streamsPerClaim?: number | undefined;
}

export interface ResolvedRetentionJobOptions {
  intervalMs: number;
  batchSize: number;
  streamsPerClaim: number;
}

/** What one pass did. */
export interface RetentionPassReport {
  /** Streams with limits looked at. */
  streams: number;
  /** Streams that lost versions. */
  trimmed: number;
  /** Own events and links removed. */
  removed: number;
}

const OPTION_KEYS = new Set(['intervalMs', 'batchSize', 'streamsPerClaim']);

export function resolveRetentionJobOptions(options: RetentionJobOptions | undefined): ResolvedRetentionJobOptions {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw invalidValue('retention options', 'an object', options);
  }
  const unknown = Object.keys(options ?? {}).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) throw new InvalidArgumentError('retention options', `unknown option ${unknown.join(', ')}`);
  const resolved = {
    intervalMs: options?.intervalMs ?? 60_000,
    batchSize: options?.batchSize ?? 1_000,
    streamsPerClaim: options?.streamsPerClaim ?? 100,
  };
  assertPositiveInteger(resolved.intervalMs, 'retention.intervalMs');
  assertPositiveInteger(resolved.batchSize, 'retention.batchSize');
  assertPositiveInteger(resolved.streamsPerClaim, 'retention.streamsPerClaim');
  return resolved;
}

/** One pass over the streams with limits; `shouldStop` is asked between transactions. */
export async function runRetentionPass(ctx: StoreContext, options: ResolvedRetentionJobOptions, shouldStop: () => boolean = () => false): Promise<RetentionPassReport> {
  const sql = retentionStatements(ctx.naming);
  const report: RetentionPassReport = { streams: 0, trimmed: 0, removed: 0 };
  const [{ now: passStart }] = await ctx.runner.query<{ now: Date }>(sql.now, []);
  while (!shouldStop()) {
    const claimed = await ctx.runner.query<ClaimedRow>(sql.claim, [passStart, options.streamsPerClaim]);
    if (claimed.length === 0) break;
    for (const { stream_ref: ref } of claimed) {
      if (shouldStop()) break;
      report.streams += 1;
      const [target] = await ctx.runner.query<TargetRow>(sql.target, [ref]);
      if (!target || target.target <= target.truncated_before) continue;
      let removed = 0;
      for (let from = target.truncated_before; from < target.target && !shouldStop();) {
        const before = Math.min(target.target, from + options.batchSize);
        const [row] = await ctx.runner.query<TruncateRow>(sql.truncate, [target.stream_id, before]);
        // Deleted meanwhile: nothing left to trim.
        if (row.status !== TruncateStatus.Ok) break;
        removed += row.removed;
        from = before;
      }
      if (removed > 0) report.trimmed += 1;
      report.removed += removed;
    }
  }
  return report;
}

/** The job in the background: a pass, a pause, a pass … until stopped. */
export class RetentionJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly ctx: StoreContext,
    readonly options: ResolvedRetentionJobOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts the first pass now. */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  /** Runs one pass now (after the one in progress, if any). */
  async runOnce(): Promise<RetentionPassReport> {
    await this.running?.catch(() => undefined);
    const pass = runRetentionPass(this.ctx, this.options, () => this.stopped);
    this.running = pass;
    try {
      return await pass;
    } finally {
      if (this.running === pass) this.running = undefined;
    }
  }

  /** Stops after the transaction in progress; resolves when nothing runs any more. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  get isRunning(): boolean {
    return !this.stopped && (this.timer !== undefined || this.running !== undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runOnce()
        .catch((error) => {
          this.logger.error('info', `[eventstore] retention pass failed: ${(error as Error)?.message ?? String(error)}`);
        })
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
