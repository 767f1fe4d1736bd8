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
import type { Claim, SubscriptionRows } from '../subscriptions/subscription-rows';
import type { RecordedEvent } from '../types';
import type { EventInstances } from './event-instances';
import type { ProjectionDefinition } from './projection-definition';
import { batchEntityManager, persistInOwnSchema } from './batch-em';
import { explainReadModelError } from './read-model-errors';

/** The checkpoint's compare-and-set was refused: this owner is deposed, the batch rolled back. */
export class CheckpointConflict extends Error {
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
  const explained = (error: unknown) => explainReadModelError(error, definition.name);
  let prepared: unknown;
  try {
    prepared = await definition.prepare(built, { em, events });
  } catch (error) {
    // A whole-batch hook: which event it choked on is not known.
    throw new BatchFailure(explained(error), events.length === 1 ? events[0].position : undefined);
  }
  for (let i = 0; i < events.length; i++) {
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
  ) {}

  /** A new EntityManager of the store's MikroORM, whatever context the caller runs in (batch-em.ts). */
  newEm(): EntityManager {
    return batchEntityManager(this.orm);
  }

  /** Applies `events` and moves the checkpoint from `from` to `to` (at or past the last event: a filter may have skipped more). */
  async commit(definition: ProjectionDefinition, claim: Claim, from: number, events: readonly RecordedEvent[], to: number): Promise<void> {
    const handled = events.filter((event) => definition.handles(event.eventType));
    if (handled.length === 0) {
      if (!(await this.rows.checkpoint(claim, to, { expected: from }))) throw new CheckpointConflict(definition.name, claim);
      return;
    }
    await this.newEm().transactional(async (em) => {
      persistInOwnSchema(em);
      await applyEvents(definition, em, handled, this.instances);
      if (!(await this.rows.checkpoint(claim, to, { trx: em.getTransactionContext(), expected: from }))) {
        throw new CheckpointConflict(definition.name, claim);
      }
    });
  }

  /** A rebuild's first step: the projection's `reset(ctx)` and the checkpoint back to the origin, together. */
  async reset(definition: ProjectionDefinition, claim: Claim, from: number): Promise<void> {
    await this.newEm().transactional(async (em) => {
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
