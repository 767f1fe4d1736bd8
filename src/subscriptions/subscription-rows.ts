/**
 * The subscriptions table: create or fetch a row, claim it for a new owner
 * (the next fencing epoch), move its checkpoint with a compare-and-set on
 * that epoch, release and delete it.
 *
 * Every write can run inside a caller's transaction (`trx`): a projection
 * commits its read-model changes and its checkpoint together, and its
 * compare-and-set on the epoch (and on the previous checkpoint) refuses the
 * batch of a deposed owner.
 */
import type { Knex } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../repositories/sql-runner';
import type { SubscriptionRow, SubscriptionStatements } from './sql/subscriptions.sql';

/** What an owner holds: the row and the epoch it claimed. */
export interface Claim {
  readonly id: number;
  readonly epoch: number;
  /** The checkpoint when the claim was made: delivery resumes after it. */
  readonly lastSeen: number;
  /** The row held a recorded failure when the claim was made. */
  readonly failed: boolean;
}

/** Why a projection stopped, as stored with its row. */
export interface RecordedFailure {
  message: string;
  code: string | null;
  /** The `$all` position of the event it failed at. */
  position: number;
}

export interface CheckpointOptions {
  /** Write inside this transaction (a projection's batch). */
  trx?: Knex.Transaction;
  /** Only when the stored checkpoint is still this value. */
  expected?: number;
}

export class SubscriptionRows {
  constructor(
    private readonly runner: SqlRunner,
    private readonly sql: SubscriptionStatements,
  ) {}

  async get(streamId: string, name: string): Promise<SubscriptionRow | undefined> {
    const [row] = await this.runner.query<SubscriptionRow>(this.sql.get, [streamId, name]);
    return row;
  }

  /** The row, created with checkpoint `startFrom` (null: the stream's current end) if missing. */
  async getOrCreate(streamId: string, name: string, startFrom: number | null): Promise<SubscriptionRow> {
    for (;;) {
      const existing = await this.get(streamId, name);
      if (existing) return existing;
      const [created] = await this.runner.query<SubscriptionRow>(this.sql.create, [streamId, name, startFrom]);
      if (created) return created;
      // Another process created it between our two statements: read it.
    }
  }

  /** Takes the row over for `owner`: the next epoch. Undefined when the row is gone. */
  async claim(id: number, owner: string): Promise<Claim | undefined> {
    const [row] = await this.runner.query<SubscriptionRow>(this.sql.claim, [id, owner]);
    return row ? { id: row.id, epoch: row.epoch, lastSeen: row.last_seen, failed: row.failed } : undefined;
  }

  /** Stores the failure with the row; false when `claim` is no longer the owner. */
  async recordFailure(claim: Pick<Claim, 'id' | 'epoch'>, failure: RecordedFailure): Promise<boolean> {
    const rows = await this.runner.query(this.sql.recordFailure, [claim.id, claim.epoch, failure.message, failure.code, failure.position]);
    return rows.length === 1;
  }

  /** Clears a recorded failure (the owner got past it). */
  async clearFailure(claim: Pick<Claim, 'id' | 'epoch'>): Promise<void> {
    await this.runner.query(this.sql.clearFailure, [claim.id, claim.epoch]);
  }

  /** Moves the checkpoint to `position`; false when `claim` is no longer the owner (or `expected` did not match). */
  async checkpoint(claim: Pick<Claim, 'id' | 'epoch'>, position: number, options: CheckpointOptions = {}): Promise<boolean> {
    const rows = await this.runner.query(this.sql.checkpoint, [claim.id, claim.epoch, position, options.expected ?? null], options.trx);
    return rows.length === 1;
  }

  /** Moves several checkpoints in one round trip; returns the `id:epoch` of those moved. */
  async checkpointMany(writes: ReadonlyArray<{ id: number; epoch: number; position: number }>): Promise<Set<string>> {
    const rows = await this.runner.query<{ id: number; epoch: number }>(this.sql.checkpointMany, [
      writes.map((w) => w.id), writes.map((w) => w.epoch), writes.map((w) => w.position),
    ]);
    return new Set(rows.map((row) => `${row.id}:${row.epoch}`));
  }

  /** The owner of `claim` lets go (nothing happens if it was deposed). */
  async release(claim: Pick<Claim, 'id' | 'epoch'>): Promise<void> {
    await this.runner.query(this.sql.release, [claim.id, claim.epoch]);
  }

  async exists(id: number, streamId: string, name: string): Promise<boolean> {
    return (await this.get(streamId, name))?.id === id;
  }

  /** Deletes the row; false when there was none. */
  async delete(streamId: string, name: string): Promise<boolean> {
    return (await this.runner.query(this.sql.delete, [streamId, name])).length > 0;
  }
}
