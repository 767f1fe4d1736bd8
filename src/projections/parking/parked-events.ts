/**
 * Parked events of projections: listing them and replaying them.
 *
 * A projection with `poisonEvents: 'park'` that fails `maxAttempts` times at
 * one event sets it aside and carries on (the worker parks it with its
 * checkpoint move, batch-commit.ts). A replay applies the parked events
 * again, in `$all` order, each in its own transaction that also deletes its
 * row, so a replayed event is applied once and leaves the table in the same
 * commit. That transaction first waits for the projection's batches and
 * other replays to end (an advisory lock they all take), so handlers that
 * read and then write a row never run beside each other; and the parked
 * row is locked, so two replays at once never apply one event twice. A replay that fails keeps
 * the row, with one attempt more and the new error.
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../../repositories/sql-runner';
import type { RecordedEvent } from '../../types';
import { BatchFailure, applyEvents } from '../batch-commit';
import type { EventInstances } from '../event-instances';
import type { ProjectionDefinition } from '../projection-definition';
import type { ParkedRow, ParkedStatements } from '../sql/parked.sql';

/** An event a projection set aside. */
export interface ParkedEvent {
  projection: string;
  /** Its `$all` position. */
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  eventType: string;
  /** The last failure: the error's message, its `code` when it had a string one, its stack. */
  error: { message: string; code: string | null; stack: string | null };
  /** Failed attempts so far: the projection's, then those of replays. */
  attempts: number;
  parkedAt: Date;
}

/** What `runner.replayParked(name)` did. */
export interface ReplayParkedResult {
  projection: string;
  /** Applied, and removed from the parked events. */
  replayed: number;
  /** Failed again: still parked, with one attempt more. */
  failed: number;
  /** The events that failed again, as they are parked now. */
  stillParked: ParkedEvent[];
}

/** The failure a parked row records. */
export interface ParkedFailure {
  message: string;
  code: string | null;
  stack: string | null;
  attempts: number;
}

export function parkedFailureOf(error: unknown, attempts: number): ParkedFailure {
  const cause = error instanceof BatchFailure ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return {
    message: cause instanceof Error ? cause.message : String(cause),
    code: typeof code === 'string' ? code : null,
    stack: cause instanceof Error ? (cause.stack ?? null) : null,
    attempts,
  };
}

export interface ParkedEventsDeps {
  runner: SqlRunner;
  sql: ParkedStatements;
  instances: EventInstances;
  /** The stored event at `$all` position `position`, if it is still stored. */
  eventAt(position: number): Promise<RecordedEvent | undefined>;
  newEm(): EntityManager;
  /** Waits until no other read-model transaction of the projection runs (its batches, other replays). */
  exclusive(definition: ProjectionDefinition, trx: Knex.Transaction): Promise<void>;
}

export class ParkedEvents {
  constructor(private readonly deps: ParkedEventsDeps) {}

  async list(projection: string): Promise<ParkedEvent[]> {
    return (await this.deps.runner.query<ParkedRow>(this.deps.sql.list, [projection])).map(parkedEventOf);
  }

  async replay(definition: ProjectionDefinition): Promise<ReplayParkedResult> {
    const result: ReplayParkedResult = { projection: definition.name, replayed: 0, failed: 0, stillParked: [] };
    for (const parked of await this.list(definition.name)) {
      let failure: unknown;
      let applied = false;
      try {
        applied = await this.replayOne(definition, parked.position);
      } catch (error) {
        failure = error;
      }
      if (applied) result.replayed++;
      if (failure === undefined) continue;
      const recorded = parkedFailureOf(failure, 0);
      const [row] = await this.deps.runner.query<{ attempts: number }>(this.deps.sql.replayFailed,
        [definition.name, parked.position, recorded.message, recorded.code, recorded.stack]);
      result.failed++;
      result.stillParked.push({
        ...parked,
        error: { message: recorded.message, code: recorded.code, stack: recorded.stack },
        attempts: row?.attempts ?? parked.attempts + 1,
      });
    }
    return result;
  }

  /** Applies one parked event and deletes its row, together; false when another replay has it or had it. */
  private async replayOne(definition: ProjectionDefinition, position: number): Promise<boolean> {
    return this.deps.newEm().transactional(async (em) => {
      const trx = em.getTransactionContext<Knex.Transaction>()!;
      await this.deps.exclusive(definition, trx);
      const [row] = await this.deps.runner.query<ParkedRow>(this.deps.sql.lock, [definition.name, position], trx);
      if (!row) return false;
      const event = await this.deps.eventAt(position);
      if (!event || event.eventId !== row.event_id) {
        throw new Error(`the event ${row.event_id} at position ${position} is no longer stored`);
      }
      if (definition.handles(event.eventType)) await applyEvents(definition, em, [event], this.deps.instances);
      await this.deps.runner.query(this.deps.sql.remove, [definition.name, position], trx);
      return true;
    });
  }
}

function parkedEventOf(row: ParkedRow): ParkedEvent {
  return {
    projection: row.projection,
    position: row.position,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventType: row.event_type,
    error: { message: row.error, code: row.error_code, stack: row.error_stack },
    attempts: row.attempts,
    parkedAt: row.parked_at,
  };
}
