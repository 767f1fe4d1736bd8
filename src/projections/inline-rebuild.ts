/**
 * Rebuilding an inline projection. Inline projections have no checkpoint:
 * the appends of every process that registered them apply them. So the
 * rebuild runs as one transaction that
 *
 * 1. takes the projection's lock exclusively: it waits for the appends that
 *    are applying the projection (they hold it shared until they commit) and
 *    holds back new ones until the rebuild commits;
 * 2. numbers what those appends committed (the sequencer), so that `$all`
 *    holds every event the old read model had seen;
 * 3. calls `reset(ctx)` and replays `$all` from the origin up to its end as
 *    of step 2 (later events are held back, or not handled by the projection);
 * 4. commits: the new read model replaces the old one at once, and the held
 *    appends go on applying to it. A failure or crash rolls everything back
 *    and the old read model stays as it was.
 *
 * The price: appends that apply the projection wait while it rebuilds.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlRunner, Statement } from '../repositories/sql-runner';
import type { RecordedEvent } from '../types';
import { BatchFailure, applyEvents } from './batch-commit';
import { explainReadModelError } from './read-model-errors';
import { ProjectionBusyError, ProjectionFailedError, ProjectionHandlerError } from './errors';
import type { EventInstances } from './event-instances';
import type { ProjectionDefinition } from './projection-definition';
import type { RebuildResult, ResolvedRebuildOptions } from './projection-options';
import { RebuildJob } from './rebuild-job';
import type { ProjectionStatements } from './sql/projections.sql';
import { persistInOwnSchema } from './batch-em';

export interface InlineRebuildDeps {
  newEm(): EntityManager;
  runner: SqlRunner;
  statements: ProjectionStatements;
  sequence: Statement;
  readAll(startPosition: number, count: number): Promise<RecordedEvent[]>;
  eventsAfter(position: number): Promise<number>;
  lastPosition(): Promise<number>;
  instances: EventInstances;
}

/** lock_not_available: the lock timeout ran out. */
const LOCK_TIMEOUT = '55P03';

export async function rebuildInline(deps: InlineRebuildDeps, definition: ProjectionDefinition, options: ResolvedRebuildOptions): Promise<RebuildResult> {
  const { name } = definition;
  const { batchSize } = definition.options;
  const job = new RebuildJob(name, options.onProgress);
  let position = 0;
  await deps.newEm().transactional(async (em) => {
    persistInOwnSchema(em);
    const trx = em.getTransactionContext();
    await deps.runner.query(deps.statements.lockTimeout, [`${Math.max(1, options.ownershipTimeoutMs)}ms`], trx);
    try {
      await deps.runner.query(deps.statements.inlineExclusive, [name], trx);
    } catch (error) {
      if ((error as { code?: unknown }).code !== LOCK_TIMEOUT) throw error;
      throw new ProjectionBusyError(name, `appends applying it (or another rebuild) did not finish within ${options.ownershipTimeoutMs} ms`);
    }
    await deps.runner.query(deps.statements.lockTimeout, ['0'], trx);
    await deps.runner.query(deps.sequence, [null]);
    try {
      await definition.reset({ em });
      await em.flush();
    } catch (error) {
      throw new ProjectionHandlerError(name, explainReadModelError(error, name), undefined, 1);
    }
    const [total, target] = await Promise.all([deps.eventsAfter(0), deps.lastPosition()]);
    job.begin(total, target);
    for (;;) {
      const page = await deps.readAll(position + 1, batchSize);
      if (page.length === 0) break;
      const handled = page.filter((event) => definition.handles(event.eventType));
      if (handled.length > 0) {
        try {
          await applyEvents(definition, em, handled, deps.instances);
        } catch (error) {
          if (!(error instanceof BatchFailure)) throw error;
          throw new ProjectionFailedError(name, error.cause, error.position ?? handled[0].position, 1);
        }
        // Flushed: the page's entities need not stay in memory for the rest of the replay.
        em.clear();
      }
      position = page[page.length - 1].position;
      job.progress(page.length, position);
      if (page.length < batchSize || position >= target) break;
    }
  });
  job.finish(position);
  return job.promise;
}
