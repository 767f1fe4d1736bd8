/**
 * An append with hooks (the store's inline projections plug in here): when
 * a hook handles one of its events, the events and the hooks' changes
 * commit in one transaction (other appends take the usual path).
 *
 * - With `{ em }` in an open transaction, both run in a savepoint of it: a
 *   hook that throws undoes the append as well, the error reaches the
 *   caller, and the caller's transaction stays usable. The caller's commit
 *   then commits everything (and the store numbers the events right after).
 * - Otherwise the store opens a transaction of its own, and numbers the
 *   events before returning, as a plain append does (read your writes).
 *
 * Hooks see the events as they will be stored, but without `$all`
 * positions (0): positions are given after the commit.
 */
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { transactionOf } from './sql-runner';
import type { StoreContext } from './store-context';
import type { StreamWriter } from './stream-writer';
import type { AppendResult, EventData, ExpectedVersionValue, RecordedEvent, WriteOptions } from '../types';
import { assertWriteOptions } from '../validation';

/** Applies just-appended events (no `$all` positions yet) inside the append's transaction. */
export interface AppendHook {
  /** Whether one of these event types is handled (appends of other events take their usual path). */
  handlesAny(eventTypes: readonly string[]): boolean;
  apply(em: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
}

export interface HookedAppendDeps {
  orm: MikroORM;
  writer: StreamWriter;
  context: StoreContext;
  /** Opens sealed personal fields, so that hooks see them as readers of `$all` do. */
  reveal: (events: RecordedEvent[]) => Promise<RecordedEvent[]>;
  /** The `$all` position of a stream's version, once numbered. */
  positionOf: (streamId: string, version: number) => Promise<number | null>;
}

export async function appendWithHooks(
  deps: HookedAppendDeps,
  hooks: readonly AppendHook[],
  streamId: string,
  expectedVersion: ExpectedVersionValue,
  events: readonly EventData[],
  options: WriteOptions = {},
): Promise<AppendResult> {
  const types = Array.isArray(events) ? events.map((event: Partial<EventData> | null) => event?.eventType).filter((type) => typeof type === 'string') : [];
  const relevant = hooks.filter((hook) => hook.handlesAny(types));
  // Nothing to apply (or bad input, which the writer refuses): the usual append.
  if (relevant.length === 0) return deps.writer.append(streamId, expectedVersion, events, options);
  assertWriteOptions(options);
  const stored = withEventIds(events);
  const run = async (em: EntityManager): Promise<AppendResult> => {
    const result = await deps.writer.append(streamId, expectedVersion, stored, { em });
    const recorded = await deps.reveal(pendingEvents(streamId, result.streamVersion, stored));
    for (const hook of relevant) await hook.apply(em, recorded);
    return result;
  };
  const em = deps.orm.em.fork({ disableContextResolution: true }) as EntityManager;
  const callerTransaction = transactionOf(options.em);
  if (callerTransaction) return em.transactional(run, { ctx: callerTransaction });
  const result = await em.transactional(run);
  if (stored.length === 0) return result;
  await deps.context.runner.query(deps.context.sequencer.sequence, [null]);
  return { streamVersion: result.streamVersion, position: await deps.positionOf(streamId, result.streamVersion) };
}

/** The events with their ids chosen here, so that hooks see the ids that are stored. Bad input is left to the writer. */
function withEventIds(events: readonly EventData[]): EventData[] {
  if (!Array.isArray(events)) return events as EventData[];
  return events.map((event: unknown) =>
    event !== null && typeof event === 'object' && !Array.isArray(event) && (event as EventData).eventId === undefined
      ? { ...(event as EventData), eventId: uuidv7() }
      : (event as EventData));
}

/** The appended events as a reader will see them, minus their `$all` positions. */
function pendingEvents(streamId: string, streamVersion: number, events: readonly EventData[]): RecordedEvent[] {
  const first = streamVersion - events.length + 1;
  const createdAt = new Date();
  return events.map((event, index) => ({
    eventId: event.eventId!.toLowerCase(),
    eventNumber: first + index,
    position: 0,
    streamId,
    streamVersion: first + index,
    eventType: event.eventType,
    // As stored: JSON, so that handlers see what readers of the store will see.
    data: JSON.parse(JSON.stringify(event.data)),
    metadata: event.metadata ? JSON.parse(JSON.stringify(event.metadata)) : null,
    causationId: event.causationId ?? null,
    correlationId: event.correlationId ?? null,
    createdAt,
  }));
}
