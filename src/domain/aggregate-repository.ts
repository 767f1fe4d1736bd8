/**
 * Loads and saves the instances of one `@Aggregate` class.
 *
 * - An aggregate lives in the stream `<AggregateName>-<id>` (or the
 *   `streamId` function of its `@Aggregate` options).
 * - `load(id)` starts from the aggregate's snapshot when it has a current
 *   one, then replays only the events after it, reading the stream once,
 *   page by page; an id without a stream gives a new instance at version 0.
 * - `save(aggregate)` appends the uncommitted events in one append, expecting
 *   the stream at the version the aggregate was loaded at (0: the stream must
 *   not exist yet). A stale aggregate gets WrongExpectedVersionError and
 *   nothing is written. With `{ em }` the append (and the snapshot) join the
 *   caller's transaction.
 * - `update(id, fn)` is load, fn, save, retried on version conflicts only
 *   (after a short randomised pause, so that writers racing on one aggregate
 *   spread out); when the retries run out, ConcurrencyRetriesExhaustedError.
 *   An id without a stream is StreamNotFoundError unless `createIfMissing`.
 *
 * Repositories are plain objects: build one with
 * `store.aggregateRepository(Class)` or `new AggregateRepository(store, Class)`
 * and hand it to services through their constructors (or any container).
 */
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { AggregateRoot, aggregateState, applyEvent, assertAggregateId } from './aggregate-root';
import { isCurrentSnapshot, restoreSnapshot, takeSnapshot } from './aggregate-snapshot';
import { AggregateIdNotSetError, AggregateNotRegisteredError } from './errors';
import { EventEnvelope, EventSerializer, EventSerializerOptions, assertEnvelope } from './event-serializer';
import { InstanceBuilder } from './instance-builder';
import { AggregateInfo, domainRegistry } from './registry';
import {
  ConcurrencyRetriesExhaustedError,
  InvalidArgumentError,
  SnapshotNotFoundError,
  StreamNotFoundError,
  StreamTruncatedError,
  WrongExpectedVersionError,
} from '../errors';
import type { AppendResult, EventData, ExpectedVersionValue, RecordedEvent, SnapshotData, StreamInfo, WriteOptions } from '../types';
import { assertBoolean, assertNonNegativeInteger, assertPositiveInteger, describe, invalidValue } from '../validation';
import { toJson } from '../encoding';
import { subjectKeysOf } from './personal-data/aggregate-subjects';
import { PersonalDataProtection, SubjectKeys, noteSubjectsOf } from './personal-data/personal-data';
import { DEFAULT_READ_COUNT } from '../repositories/stream-reader';

/** What a repository uses of the event store (an `EventStore` is one). */
export interface AggregateStore {
  readonly orm: MikroORM;
  readStreamForward(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent[]>;
  streamInfo(streamId: string): Promise<StreamInfo>;
  appendToStream(streamId: string, expectedVersion: ExpectedVersionValue, events: readonly EventData[], options?: WriteOptions): Promise<AppendResult>;
  readSnapshot(sourceId: string): Promise<SnapshotData>;
  recordSnapshot(snapshot: SnapshotData, options?: WriteOptions): Promise<void>;
  /** The started store's personal-data protection (snapshots are sealed and opened with it). */
  internals(): Promise<{ personal: PersonalDataProtection }>;
}

/** An `@Aggregate` class; repositories build instances with no constructor arguments. */
export type AggregateClass<T extends AggregateRoot> = new () => T;

export interface AggregateRepositoryOptions extends EventSerializerOptions {
  /** Events read per query when loading; default 1000. */
  batchSize?: number | undefined;
}

export interface SaveOptions extends EventEnvelope {
  /** Join this EntityManager's open transaction. */
  em?: EntityManager | undefined;
}

export interface UpdateOptions extends SaveOptions {
  /** How many times to reload and retry after a version conflict; default 10. */
  retries?: number | undefined;
  /**
   * The pause before the first retry, in ms; each later one may be twice as
   * long (up to 1 s), randomised so that racing writers spread out; default 5.
   */
  retryDelayMs?: number | undefined;
  /** Create the aggregate when its stream does not exist; default false (StreamNotFoundError). */
  createIfMissing?: boolean | undefined;
}

export const DEFAULT_UPDATE_RETRIES = 10;
export const DEFAULT_UPDATE_RETRY_DELAY_MS = 5;
const MAX_UPDATE_RETRY_DELAY_MS = 1000;

/** A dependency-injection token for the repository of one aggregate class (a string, so any container takes it). */
export type AggregateRepositoryToken<T extends AggregateRoot> = string & { readonly __aggregate?: T };

export function aggregateRepositoryToken<T extends AggregateRoot>(aggregateClass: AggregateClass<T>): AggregateRepositoryToken<T> {
  return `AggregateRepository<${aggregateInfoOf(aggregateClass).name}>`;
}

export class AggregateRepository<T extends AggregateRoot> {
  /** The aggregate's registered name. */
  readonly aggregateName: string;
  private readonly info: AggregateInfo;
  private readonly serializer: EventSerializer;
  /** Builds events and snapshots; it remembers, per class, whether class-transformer is needed. */
  private readonly instances = new InstanceBuilder();
  private readonly batchSize: number;

  constructor(
    private readonly store: AggregateStore,
    readonly aggregateClass: AggregateClass<T>,
    options: AggregateRepositoryOptions = {},
  ) {
    if (!store || typeof (store as AggregateStore).appendToStream !== 'function') {
      throw invalidValue('store', 'an EventStore', store);
    }
    this.info = aggregateInfoOf(aggregateClass);
    this.aggregateName = this.info.name;
    this.serializer = new EventSerializer(options, domainRegistry, this.instances);
    this.batchSize = options.batchSize ?? DEFAULT_READ_COUNT;
    assertPositiveInteger(this.batchSize, 'options.batchSize');
  }

  /** The stream that holds the events of the aggregate `id`. */
  streamId(id: string): string {
    assertAggregateId(id, 'id');
    return this.info.streamId(id);
  }

  /** A new aggregate with this id, at version 0 (nothing is read or written). */
  create(id: string): T {
    assertAggregateId(id, 'id');
    const aggregate = new this.aggregateClass();
    aggregateState(aggregate).id = id;
    return aggregate;
  }

  /** The aggregate as of its last event: snapshot plus later events; a new one at version 0 when the stream does not exist. */
  async load(id: string): Promise<T> {
    const streamId = this.streamId(id);
    const aggregate = (await this.fromSnapshot(id, streamId)) ?? this.create(id);
    const state = aggregateState(aggregate);
    const loadedFrom = state.version;
    const { personal } = await this.store.internals();
    // Page by page, from the version reached; a short page is the end of the stream.
    for (;;) {
      let page: RecordedEvent[];
      try {
        page = await this.store.readStreamForward(streamId, state.version + 1, this.batchSize);
      } catch (error) {
        // A snapshot without its stream (hard-deleted) is ignored as well.
        if (error instanceof StreamNotFoundError) return this.create(id);
        throw error;
      }
      // Personal fields opened (null for forgotten subjects); the subjects are noted for the aggregate's snapshot.
      page = await personal.reveal(page, subjectKeysOf(aggregate));
      for (const recorded of page) {
        // A version missing before this event was removed (truncateStream, retention):
        // replaying without it would build a wrong state.
        if (recorded.eventNumber !== state.version + 1) throw new StreamTruncatedError(streamId, state.version + 1, recorded.eventNumber);
        const event = this.serializer.deserialize(recorded);
        // In 'raw' mode an event of an unknown type counts in the version but is not applied.
        if (event !== recorded) applyEvent(aggregate, event);
        state.version = recorded.eventNumber;
        state.lastPosition = recorded.position;
      }
      if (page.length < this.batchSize) {
        if (state.version === loadedFrom) await this.assertNothingRemoved(streamId, state.version);
        return aggregate;
      }
    }
  }

  /** No event after `version` was read: the stream's versions after it, if it has any, were removed. */
  private async assertNothingRemoved(streamId: string, version: number): Promise<void> {
    const { streamVersion } = await this.store.streamInfo(streamId);
    if (streamVersion > version) throw new StreamTruncatedError(streamId, version + 1, null);
  }

  /**
   * Appends the aggregate's uncommitted events at the version it was loaded
   * at, with the options' metadata, causation and correlation ids; takes a
   * snapshot when one is due. Saving an aggregate with no new events does nothing.
   * With `{ em }` the aggregate counts as saved once the append is done: if
   * the caller's transaction then rolls back, load the aggregate again.
   * Resolves with the append's `{ streamVersion, position }` (position null
   * inside a caller's transaction, and for a save with nothing to append).
   */
  async save(aggregate: T, options: SaveOptions = {}): Promise<AppendResult> {
    this.assertOwnAggregate(aggregate);
    assertSaveOptions(options);
    const state = aggregateState(aggregate);
    if (state.id === undefined) throw new AggregateIdNotSetError(this.aggregateName);
    const pending = state.uncommitted;
    if (pending.length === 0) return { streamVersion: state.version, position: null };
    const loadedVersion = state.version - pending.length;
    const streamId = this.info.streamId(state.id);
    const events = this.serializer.serializeAll(pending, options);
    const snapshot = this.snapshotDue(loadedVersion, state.version) ? takeSnapshot(aggregate, this.info, streamId) : undefined;
    // Checked before the append, so that an unserialisable state writes nothing.
    if (snapshot) toJson(snapshot.data, 'snapshot of the aggregate');
    const result = await this.store.appendToStream(streamId, loadedVersion, events, { em: options.em });
    state.lastPosition = result.position;
    const subjects = subjectKeysOf(aggregate);
    noteSubjectsOf(pending, subjects);
    state.uncommitted = [];
    if (snapshot) await this.recordSnapshot(snapshot, options.em, subjects);
    return result;
  }

  /**
   * Loads the aggregate, runs `fn` on it and saves it; on a version conflict
   * (another writer saved first) it starts again from a fresh load after a
   * short randomised pause, up to `retries` times, then throws
   * ConcurrencyRetriesExhaustedError (its cause: the last conflict). Any
   * other error, from `fn` or from the save, ends it at once. An id whose
   * stream does not exist throws StreamNotFoundError (before `fn` runs)
   * unless `createIfMissing` is set. Loads read committed events: with
   * `{ em }`, only the save joins the caller's transaction.
   */
  async update(id: string, fn: (aggregate: T) => void | Promise<void>, options: UpdateOptions = {}): Promise<T> {
    assertAggregateId(id, 'id');
    if (typeof fn !== 'function') throw invalidValue('fn', 'a function', fn);
    assertSaveOptions(options);
    const { retries = DEFAULT_UPDATE_RETRIES, retryDelayMs = DEFAULT_UPDATE_RETRY_DELAY_MS, createIfMissing = false, ...saveOptions } = options;
    assertNonNegativeInteger(retries, 'options.retries');
    assertNonNegativeInteger(retryDelayMs, 'options.retryDelayMs');
    assertBoolean(createIfMissing, 'options.createIfMissing');
    for (let attempt = 0; ; attempt++) {
      const aggregate = await this.load(id);
      // A stream has version 1 at least: version 0 means there is none.
      if (aggregate.version === 0 && !createIfMissing) throw new StreamNotFoundError(this.info.streamId(id));
      await fn(aggregate);
      try {
        await this.save(aggregate, saveOptions);
        return aggregate;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= retries) throw new ConcurrencyRetriesExhaustedError(error.streamId, attempt + 1, error);
      }
      await sleep(retryDelay(retryDelayMs, attempt));
    }
  }

  private async fromSnapshot(id: string, streamId: string): Promise<T | undefined> {
    if (this.info.snapshotEvery === undefined) return undefined;
    let snapshot: SnapshotData;
    try {
      snapshot = await this.store.readSnapshot(streamId);
    } catch (error) {
      if (error instanceof SnapshotNotFoundError) return undefined;
      throw error;
    }
    if (!isCurrentSnapshot(snapshot, this.info)) return undefined;
    const subjects: SubjectKeys = new Map();
    // A snapshot sealed under a forgotten subject's key is ignored: the aggregate is rebuilt from its events.
    const opened = await (await this.store.internals()).personal.openSnapshot(snapshot, subjects);
    if (!opened) return undefined;
    const aggregate = restoreSnapshot(this.aggregateClass, opened, this.instances);
    for (const [subject, generations] of subjects) subjectKeysOf(aggregate).set(subject, generations);
    const state = aggregateState(aggregate);
    state.id = id;
    state.version = snapshot.sourceVersion;
    return aggregate;
  }

  /** A snapshot is due when the save moves the version to or past a multiple of `snapshotEvery`. */
  private snapshotDue(fromVersion: number, toVersion: number): boolean {
    const every = this.info.snapshotEvery;
    return every !== undefined && Math.floor(toVersion / every) > Math.floor(fromVersion / every);
  }

  private async recordSnapshot(plain: SnapshotData, em: EntityManager | undefined, subjects: SubjectKeys): Promise<void> {
    // In the caller's transaction a failure must reach the caller (the
    // transaction is broken); outside one the events are already saved, and
    // a lost snapshot only means a longer replay.
    // Sealed under the keys of the subjects whose data the aggregate holds; undefined when
    // one of them was forgotten since the load (no snapshot may hold its data).
    const seal = async () => (await this.store.internals()).personal.sealSnapshot(plain, subjects);
    if (em?.getTransactionContext()) {
      const sealed = await seal();
      if (sealed) await this.store.recordSnapshot(sealed, { em });
      return;
    }
    try {
      const sealed = await seal();
      if (sealed) await this.store.recordSnapshot(sealed);
    } catch (error) {
      this.store.orm.config.getLogger().error('info',
        `[eventstore] snapshot of ${plain.sourceId} at version ${plain.sourceVersion} not recorded: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private assertOwnAggregate(aggregate: unknown): asserts aggregate is T {
    if (!(aggregate instanceof this.aggregateClass)) {
      const got = aggregate !== null && typeof aggregate === 'object' ? `an instance of ${aggregate.constructor?.name ?? 'Object'}` : describe(aggregate);
      throw new InvalidArgumentError('aggregate', `expected a ${this.aggregateClass.name}, got ${got}`);
    }
  }
}

function aggregateInfoOf(aggregateClass: unknown): AggregateInfo {
  if (typeof aggregateClass !== 'function') {
    throw invalidValue('aggregateClass', 'an @Aggregate class', aggregateClass);
  }
  const info = domainRegistry.aggregateByClass(aggregateClass);
  if (!info) throw new AggregateNotRegisteredError(aggregateClass.name);
  return info;
}

/** Half fixed, half random ("equal jitter"), doubling per attempt up to a cap. */
function retryDelay(firstMs: number, attempt: number): number {
  const ceiling = Math.min(firstMs * 2 ** attempt, MAX_UPDATE_RETRY_DELAY_MS);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function assertSaveOptions(options: SaveOptions): void {
  assertEnvelope(options, 'options');
  if (options.em !== undefined && typeof (options.em as EntityManager | null)?.getTransactionContext !== 'function') {
    throw invalidValue('options.em', 'a MikroORM EntityManager', options.em);
  }
}
