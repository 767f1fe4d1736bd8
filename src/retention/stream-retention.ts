/**
 * Truncation and per-stream limits: the calls behind `store.truncateStream`,
 * `setStreamRetention`, `getStreamRetention` and `removeStreamRetention`.
 */
import { InvalidArgumentError, StreamDeletedError, StreamNotFoundError } from '../errors';
import type { StoreContext } from '../repositories/store-context';
import { assertPositiveInteger, assertStreamId, invalidValue } from '../validation';
import { RetentionRow, TruncateRow, TruncateStatus, retentionStatements } from './sql/retention.sql';

/** A stream's limits; each is optional, at least one is given. */
export interface StreamRetentionLimits {
  /** Keep at most this many of the stream's latest versions. */
  maxCount?: number | undefined;
  /** Keep only events younger than this, in ms (the oldest go first; removal stops at the first young one). */
  maxAgeMs?: number | undefined;
}

/** A stream's retention as stored. */
export interface StreamRetention {
  maxCount: number | null;
  maxAgeMs: number | null;
  /** The stream's versions below this one were removed (1: none was). */
  truncatedBefore: number;
}

export interface TruncateResult {
  /** The stream's version, unchanged. */
  streamVersion: number;
  /** Own events and links of the stream removed by this call. */
  removed: number;
}

const LIMIT_KEYS = new Set(['maxCount', 'maxAgeMs']);

export class StreamRetentionStore {
  private readonly sql: ReturnType<typeof retentionStatements>;

  constructor(private readonly ctx: StoreContext) {
    this.sql = retentionStatements(ctx.naming);
  }

  async truncate(streamId: string, beforeVersion: number): Promise<TruncateResult> {
    assertStreamId(streamId);
    assertPositiveInteger(beforeVersion, 'beforeVersion');
    const [row] = await this.ctx.runner.query<TruncateRow>(this.sql.truncate, [streamId, beforeVersion]);
    switch (row.status) {
      case TruncateStatus.Ok: return { streamVersion: row.stream_version, removed: row.removed };
      case TruncateStatus.StreamNotFound: throw new StreamNotFoundError(streamId);
      case TruncateStatus.StreamDeleted: throw new StreamDeletedError(streamId);
      default: throw new InvalidArgumentError('beforeVersion',
        `${beforeVersion} is beyond the next version of stream ${JSON.stringify(streamId)} (${row.stream_version + 1})`);
    }
  }

  async set(streamId: string, limits: StreamRetentionLimits): Promise<void> {
    assertStreamId(streamId);
    const { maxCount, maxAgeMs } = checkLimits(limits);
    const rows = await this.ctx.runner.query(this.sql.setLimits, [streamId, maxCount, maxAgeMs]);
    if (rows.length === 0) await this.get(streamId);
  }

  /** StreamNotFoundError for an unknown stream, StreamDeletedError for a soft-deleted one. */
  async get(streamId: string): Promise<StreamRetention> {
    assertStreamId(streamId);
    const [row] = await this.ctx.runner.query<RetentionRow>(this.sql.read, [streamId]);
    if (!row) throw new StreamNotFoundError(streamId);
    if (row.deleted_at) throw new StreamDeletedError(streamId);
    return { maxCount: row.max_count, maxAgeMs: row.max_age_ms, truncatedBefore: row.truncated_before ?? 1 };
  }

  async remove(streamId: string): Promise<void> {
    await this.get(streamId);
    await this.ctx.runner.query(this.sql.removeLimits, [streamId]);
  }
}

function checkLimits(limits: unknown): { maxCount: number | null; maxAgeMs: number | null } {
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw invalidValue('limits', '{ maxCount?, maxAgeMs? }', limits);
  }
  const unknown = Object.keys(limits).filter((key) => !LIMIT_KEYS.has(key));
  if (unknown.length > 0) throw new InvalidArgumentError('limits', `unknown option ${unknown.join(', ')} (expected maxCount and/or maxAgeMs)`);
  const { maxCount, maxAgeMs } = limits as StreamRetentionLimits;
  if (maxCount !== undefined) assertPositiveInteger(maxCount, 'limits.maxCount');
  if (maxAgeMs !== undefined) assertPositiveInteger(maxAgeMs, 'limits.maxAgeMs');
  if (maxCount === undefined && maxAgeMs === undefined) {
    throw new InvalidArgumentError('limits', 'give maxCount and/or maxAgeMs (removeStreamRetention clears the limits)');
  }
  return { maxCount: maxCount ?? null, maxAgeMs: maxAgeMs ?? null };
}
