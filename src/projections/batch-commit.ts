/**
 * One batch of one projection, applied exactly once: the handlers' changes
 * and the move of the checkpoint from `from` to the batch's last position
 * commit in one transaction. The checkpoint statement is a compare-and-set
 * on the owner's epoch and on `from`; when it is refused (a newer owner, or
 * somebody moved the checkpoint) the whole batch rolls back. A batch whose
 * events the projection does not handle is only that one statement.
 */
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../repositories/sql-runner';
import type { Claim, SubscriptionRows } from '../subscriptions/subscription-rows';
import type { RecordedEvent } from '../types';
import type { EventInstances } from './event-instances';
import type { ProjectionDefinition } from './projection-definition';
import type { ParkedFailure } from './parking/parked-events';
import { batchEntityManager, persistInOwnSchema } from './batch-em';
import { BatchLookups } from './batch-lookups';
import { explainReadModelError } from './read-model-errors';
import type { ParkedStatements } from './sql/parked.sql';
import type { ProjectionStatements } from './sql/projections.sql';
import { OwnershipLostError } from '../errors';

/** The SQL the committer runs besides the subscription rows. */
export interface CommitSql {
  runner: SqlRunner;
  projections: ProjectionStatements;
  parked: ParkedStatements;
}

/** The checkpoint's compare-and-set was refused: this owner is deposed, the batch rolled back. */
export class CheckpointConflict extends OwnershipLostError {
  constructor(projection: string, claim: Claim) {
    super(`projection ${JSON.stringify(projection)}: another owner took over (epoch ${claim.epoch} is stale), the batch was rolled back`);
  }
}

/** The projection's own work failed: a handler, turning a stored event into its instance, or the flush of the changes. */
export class BatchFailure extends Error {
  constructor(
    readonly cause: unknown,
    /** The `$all` position of the event it failed at, when known. */
    readonly position: number | undefined,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Runs the projection's `prepare` hook and then the handlers of `events`
 * (all handled by `definition`) in `em`'s transaction, then flushes once.
 */
export async function applyEvents(definition: ProjectionDefinition, em: EntityManager, events: readonly RecordedEvent[], instances: EventInstances): Promise<void> {
  const built = events.map((event) => instances.of(event));
  const lookups = definition.options.batchLookups ? BatchLookups.install(em, events.map((event) => event.eventType), built) : undefined;
  const explained = (error: unknown) => explainReadModelError(error, definition.name);
  let prepared: unknown;
  try {
    prepared = await definition.prepare(built, { em, events });
  } catch (error) {
    // A whole-batch hook: which event it choked on is not known.
    throw new BatchFailure(explained(error), events.length === 1 ? events[0].position : undefined);
  }
  for (let i = 0; i < events.length; i++) {
    lookups?.at(i);
    try {
      await definition.apply(built[i], { em, event: events[i], prepared });
    } catch (error) {
      throw new BatchFailure(explained(error), events[i].position);
    }
  }
  try {
    await em.flush();
  } catch (error) {
    // Whose change broke the flush is known only when there was one event.
    throw new BatchFailure(explained(error), events.length === 1 ? events[0].position : undefined);
  }
}

export class BatchCommitter {
  constructor(
    private readonly orm: MikroORM,
    private readonly rows: SubscriptionRows,
    private readonly instances: EventInstances,
    private readonly sql: CommitSql,
  ) {}

  /** A new EntityManager of the store's MikroORM, whatever context the caller runs in (batch-em.ts). */
  newEm(): EntityManager {
    return batchEntityManager(this.orm);
  }

  /** Applies `events` and moves the checkpoint from `from` to `to` (at or past the last event: a filter may have skipped more). */
  async commit(definition: ProjectionDefinition, claim: Claim, from: number, events: readonly RecordedEvent[], to: number): Promise<void> {
    const handled = events.filter((event) => definition.handles(event.eventType));
    if (handled.length === 0) return this.moveCheckpoint(definition, claim, from, to);
    await this.newEm().transactional(async (em) => {
      await this.exclusive(definition, em.getTransactionContext());
      persistInOwnSchema(em);
      await applyEvents(definition, em, handled, this.instances);
      await this.moveCheckpoint(definition, claim, from, to, em.getTransactionContext());
    });
  }

  /**
   * Sets `event` aside (a row of parked_events) and moves the checkpoint
   * from `from` to it, in one transaction: neither happens without the other.
   */
  async park(definition: ProjectionDefinition, claim: Claim, from: number, event: RecordedEvent, failure: ParkedFailure): Promise<void> {
    await this.newEm().transactional(async (em) => {
      const trx = em.getTransactionContext<Knex.Transaction>();
      await this.exclusive(definition, trx);
      await this.sql.runner.query(this.sql.parked.park, [
        definition.name, event.position, event.eventId, event.streamId, event.streamVersion, event.eventType,
        failure.message, failure.code, failure.stack, failure.attempts,
      ], trx);
      await this.moveCheckpoint(definition, claim, from, event.position, trx);
    });
  }

  /** Keeps this transaction and the projection's other read-model transactions (replays of parked events) apart. */
  async exclusive(definition: ProjectionDefinition, trx: Knex.Transaction | undefined): Promise<void> {
    await this.sql.runner.query(this.sql.projections.applyExclusive, [definition.name], trx);
  }

  /** The checkpoint's compare-and-set, which also notifies `waitFor` in every process once it commits. */
  private async moveCheckpoint(definition: ProjectionDefinition, claim: Claim, from: number, to: number, trx?: Knex.Transaction): Promise<void> {
    const moved = await this.sql.runner.query(this.sql.projections.moveCheckpoint, [claim.id, claim.epoch, to, from], trx);
    if (moved.length !== 1) throw new CheckpointConflict(definition.name, claim);
  }

  /**
   * A rebuild's first step: the projection's `reset(ctx)`, its parked events
   * dropped (the replay from the origin applies them, or parks them again)
   * and the checkpoint back to the origin, together.
   */
  async reset(definition: ProjectionDefinition, claim: Claim, from: number): Promise<void> {
    await this.newEm().transactional(async (em) => {
      await this.exclusive(definition, em.getTransactionContext());
      await this.sql.runner.query(this.sql.parked.clear, [definition.name], em.getTransactionContext());
      persistInOwnSchema(em);
      try {
        await definition.reset({ em });
        await em.flush();
      } catch (error) {
        throw new BatchFailure(explainReadModelError(error, definition.name), undefined);
      }
      if (!(await this.rows.checkpoint(claim, 0, { trx: em.getTransactionContext(), expected: from }))) {
        throw new CheckpointConflict(definition.name, claim);
      }
    });
  }
}
