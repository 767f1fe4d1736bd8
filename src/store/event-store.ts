/**
 * The event store's public face: streams, `$all`, links, snapshots and
 * deletes of the storage core, and the factories of what is built on it
 * (subscriptions, projection runners, aggregate repositories); this folder
 * is the only one that knows every layer (docs/architecture.md).
 * `EventStore.connect()` owns its MikroORM;
 * `new EventStore(orm)` joins an application's MikroORM (its pool and
 * transactions) and runs the store's migrations in the store's schema on
 * first use.
 */
import type { Logger, MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { MikroORM, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { InvalidArgumentError, StoreClosedError } from '../errors';
import { appendWithHooks } from '../repositories/inline-append';
import { transactionOf } from '../repositories/sql-runner';
import { streamForwardArgs } from '../repositories/stream-reader';
import type { ProjectionClass } from '../projections/projection-definition';
import { StoreProjections } from '../projections/store-projections';
import type { ProjectionRunnerOptions } from '../projections/projection-options';
import { ProjectionRunner } from '../projections/projection-runner';
import type { PersistentSubscriptionOptions, SubscribeOptions, Subscription, SubscriptionHandler } from '../subscriptions/subscription-options';
import type {
  AppendResult,
  DeleteOptions,
  EventData,
  ExpectedVersionValue,
  PaginateStreamsOptions,
  ReadAllOptions,
  RecordedEvent,
  SnapshotData,
  StreamInfo,
  StreamPage,
  StreamReadOptions,
  WriteOptions,
} from '../types';
import { ExpectedVersion } from '../types';
import { traceAppend, traceRead } from '../telemetry';
import { ALL_STREAM } from '../protocol';
import { invalidValue } from '../validation';
import type { AggregateRoot } from '../domain/aggregate-root';
import { AggregateClass, AggregateRepository, AggregateRepositoryOptions } from '../domain/aggregate-repository';
import { KeyProvider, resolveKeyProvider } from '../domain/personal-data/key-provider';
import { SUBJECT_FORGOTTEN_STREAM } from '../domain/personal-data/subject-forgotten';
import { RetentionJob, RetentionJobOptions, RetentionPassReport, resolveRetentionJobOptions, runRetentionPass } from '../retention/retention-job';
import type { StreamRetention, StreamRetentionLimits, TruncateResult } from '../retention/stream-retention';
import { ReadModelSchemaReport, updateReadModelSchema } from './read-model-schema';
import type { MigrationReport } from './schema-migrator';
import { joinedMigrationOrm, ownOrm } from './orm-setup';
import { StoreServices, startRetention, startServices, stopServices } from './store-services';
import {
  EventStoreConnectOptions,
  EventStoreOptions,
  ResolvedStoreOptions,
  assertPoolSize,
  resolveClientUrl,
  resolveStoreOptions,
} from './store-options';

export class EventStore {
  /** The MikroORM the store uses: its own (`connect`) or the application's (`new EventStore(orm)`). */
  readonly orm: CoreMikroORM;
  private readonly options: ResolvedStoreOptions;
  private readonly keyProvider?: KeyProvider;
  /** The ORM that runs the store's migrations; owned by the store when `ownsOrm`. */
  private migrationOrm?: MikroORM;
  private ownsOrm = false;
  private starting?: Promise<StoreServices>;
  private services?: StoreServices;
  private closed = false;
  private migrationReport: MigrationReport = { applied: [] };
  /** @internal This store's projection runners and the inline projections its appends apply. */
  readonly storeProjections = new StoreProjections();

  /** Joins an application's MikroORM (PostgreSQL driver); the store's tables go to `options.schema`. */
  constructor(orm: CoreMikroORM, options: EventStoreOptions = {}) {
    if (!orm || typeof (orm as CoreMikroORM).em?.getPlatform !== 'function') {
      throw invalidValue('orm', 'a MikroORM instance', orm);
    }
    if (!(orm.em.getPlatform() instanceof PostgreSqlPlatform)) {
      throw new InvalidArgumentError('orm', 'the event store needs a MikroORM instance with the PostgreSQL driver');
    }
    this.orm = orm;
    this.options = resolveStoreOptions(options);
    this.keyProvider = resolveKeyProvider(options.personalData);
  }

  /** Connects with a MikroORM of the store's own, creating or upgrading the schema. */
  static async connect(options: EventStoreConnectOptions = {}): Promise<EventStore> {
    const resolved = resolveStoreOptions(options);
    resolveKeyProvider(options.personalData);
    const clientUrl = resolveClientUrl(options);
    assertPoolSize(options);
    const knexLog: { logger?: Logger } = {};
    const orm = await ownOrm(options, resolved, clientUrl, knexLog);
    knexLog.logger = orm.config.getLogger();
    const store = new EventStore(orm, options);
    store.ownsOrm = true;
    store.migrationOrm = orm;
    try {
      await store.start();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /** The store's PostgreSQL schema. */
  get schema(): string {
    return this.options.schema;
  }

  /** Migrations applied when this store started (empty when the schema was up to date). */
  get appliedMigrations(): readonly string[] {
    return this.migrationReport.applied;
  }

  /** Starts the store (migrations, LISTEN connection, sequencer); called by every operation, runs once. */
  async start(): Promise<void> {
    await this.started();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const services = this.services ?? (await this.starting?.catch(() => undefined));
    if (services) {
      await this.storeProjections.close();
      await stopServices(services);
    }
    // Only an ORM the store created is closed: closing one built on the
    // application's pool would destroy that pool.
    if (this.ownsOrm) await this.orm.close(true);
  }

  /**
   * Creates the tables of the application's read-model entities (those of
   * `connect({ entities })`, or every entity of a joined MikroORM) and adds
   * the columns, indexes and keys they lack. It never drops, empties or
   * renames anything, other tables of the schema included: changes that
   * would need it are returned as `skipped`. For production, manage read
   * models with MikroORM migrations instead.
   */
  async updateReadModelSchema(): Promise<ReadModelSchemaReport> {
    if (this.closed) throw new StoreClosedError();
    return updateReadModelSchema(this.orm as MikroORM);
  }

  // ---- writing

  async appendToStream(streamId: string, expectedVersion: ExpectedVersionValue, events: readonly EventData[], options?: WriteOptions): Promise<AppendResult> {
    return traceAppend(streamId, events, (traced) => this.append(streamId, expectedVersion, traced, options));
  }

  private async append(streamId: string, expectedVersion: ExpectedVersionValue, events: readonly EventData[], options?: WriteOptions): Promise<AppendResult> {
    const services = await this.started();
    // Personal fields of @DomainEvent classes are sealed with their subject's key before anything is written.
    events = await services.personal.protect(streamId, expectedVersion, events);
    // Inline projections started in this store: their changes commit with the append.
    const hooks = this.storeProjections.inlineAppliers;
    if (hooks) {
      return wrote(services, options, appendWithHooks(
        {
          orm: this.orm, writer: services.writer, context: services.context,
          reveal: (recorded) => services.personal.reveal(recorded),
          positionOf: async (id, version) => (await services.reader.readStreamBackward(id, version, 1))[0]?.position ?? null,
        }, hooks, streamId, expectedVersion, events, options));
    }
    return wrote(services, options, services.writer.append(streamId, expectedVersion, events, options));
  }

  async linkToStream(
    streamId: string,
    expectedVersion: ExpectedVersionValue,
    events: ReadonlyArray<string | Pick<RecordedEvent, 'eventId'>>,
    options?: WriteOptions,
  ): Promise<AppendResult> {
    const services = await this.started();
    return wrote(services, options, services.writer.link(streamId, expectedVersion, events, options));
  }

  async deleteStream(streamId: string, expectedVersion: ExpectedVersionValue, options?: DeleteOptions): Promise<void> {
    const services = await this.started();
    return wrote(services, options, services.writer.delete(streamId, expectedVersion, options));
  }

  // ---- retention (docs/retention.md)

  /**
   * Removes the stream's versions below `beforeVersion` (its own events, every
   * link to them, its links); their `$all` positions become gaps. The
   * stream keeps its version: the next append continues it.
   */
  async truncateStream(streamId: string, beforeVersion: number): Promise<TruncateResult> {
    const services = await this.started();
    return wrote(services, undefined, services.retention.truncate(streamId, beforeVersion));
  }

  /** Stores the stream's limits (replacing earlier ones); the retention job trims the stream to them. */
  async setStreamRetention(streamId: string, limits: StreamRetentionLimits): Promise<void> {
    return (await this.started()).retention.set(streamId, limits);
  }

  /** The stream's limits (null when not set) and how far it has been truncated. */
  async getStreamRetention(streamId: string): Promise<StreamRetention> {
    return (await this.started()).retention.get(streamId);
  }

  /** Clears the stream's limits: the retention job leaves it alone from now on. */
  async removeStreamRetention(streamId: string): Promise<void> {
    return (await this.started()).retention.remove(streamId);
  }

  /** One pass of the retention job now: every stream with limits trimmed to them, in short transactions. */
  async enforceRetention(options?: RetentionJobOptions): Promise<RetentionPassReport> {
    const resolved = resolveRetentionJobOptions(options);
    const services = await this.started();
    return wrote(services, undefined, runRetentionPass(services.context, resolved));
  }

  /**
   * Runs the retention job in the background (a pass every `intervalMs`)
   * until `job.stop()` or `store.close()`. Safe with other processes running
   * it on the same store.
   */
  async startRetentionJob(options?: RetentionJobOptions): Promise<RetentionJob> {
    const resolved = resolveRetentionJobOptions(options);
    const services = await this.started();
    return startRetention(services, resolved, this.orm.config.getLogger());
  }

  // ---- reading
  // `T` is the type of the events' `data` as the caller knows it (stored JSON, not checked): unknown by default.

  async readStreamForward<T = unknown>(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(streamId, async () => (await this.started()).routedReader.readStreamForward(streamId, startVersion, count)) as Promise<RecordedEvent<T>[]>;
  }

  async readStreamBackward<T = unknown>(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(streamId, async () => (await this.started()).routedReader.readStreamBackward(streamId, startVersion, count)) as Promise<RecordedEvent<T>[]>;
  }

  /** With `{ filter }`: only the matching events, chosen in the database; `count` counts matches. */
  async readAllForward<T = unknown>(startPosition?: number, count?: number, options?: ReadAllOptions): Promise<RecordedEvent<T>[]> {
    return traceRead(ALL_STREAM, async () => (await this.started()).routedReader.readAllForward(startPosition, count, options)) as Promise<RecordedEvent<T>[]>;
  }

  async readAllBackward<T = unknown>(startPosition?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(ALL_STREAM, async () => (await this.started()).routedReader.readAllBackward(startPosition, count)) as Promise<RecordedEvent<T>[]>;
  }

  /** Yields the stream's events one at a time, reading `batchSize` (default 1000) per query. */
  streamForward<T = unknown>(streamId: string, startVersion = 0, options: StreamReadOptions = {}): AsyncIterable<RecordedEvent<T>> {
    streamForwardArgs(streamId, startVersion, options);
    const started = () => this.started();
    return {
      async *[Symbol.asyncIterator]() {
        yield* (await started()).routedReader.streamForward(streamId, startVersion, options) as AsyncIterable<RecordedEvent<T>>;
      },
    };
  }

  /** Yields `$all` one event at a time, reading `batchSize` (default 1000) per query. */
  streamAllForward<T = unknown>(startPosition = 0, options: StreamReadOptions = {}): AsyncIterable<RecordedEvent<T>> {
    return this.streamForward<T>(ALL_STREAM, startPosition, options);
  }

  async streamInfo(streamId: string): Promise<StreamInfo> {
    return (await this.started()).routedReader.streamInfo(streamId);
  }

  async paginateStreams(options?: PaginateStreamsOptions): Promise<StreamPage> {
    return (await this.started()).routedReader.paginateStreams(options);
  }

  // ---- snapshots

  async recordSnapshot(snapshot: SnapshotData, options?: WriteOptions): Promise<void> {
    return (await this.started()).snapshots.record(snapshot, options);
  }

  async readSnapshot(sourceId: string): Promise<SnapshotData> {
    return (await this.started()).snapshots.read(sourceId);
  }

  async deleteSnapshot(sourceId: string, options?: WriteOptions): Promise<void> {
    return (await this.started()).snapshots.delete(sourceId, options);
  }

  // ---- personal data (crypto-shredding, see src/personal-data)

  /**
   * Destroys the data keys of `subjectId`: from now on its personal fields
   * read back as null, its sealed snapshots are deleted, and a
   * SubjectForgotten event is appended (for projections to clean their read
   * models). Forgetting a forgotten subject does nothing; a later write for
   * the subject gets a new key, and the old data stays unreadable.
   */
  async forgetSubject(subjectId: string): Promise<void> {
    const services = await this.started();
    const em = this.orm.em.fork({ disableContextResolution: true });
    const appended = await em.transactional(async (tx) => {
      if (!(await services.personal.forget(subjectId, transactionOf(tx)!))) return false;
      await this.appendToStream(SUBJECT_FORGOTTEN_STREAM, ExpectedVersion.Any, [{ eventType: '$SubjectForgotten', data: { subjectId } }], { em: tx });
      return true;
    });
    // Numbered before returning, as a plain append is (read your writes).
    if (appended) await services.context.runner.query(services.context.sequencer.sequence, [null]);
  }

  /**
   * Raw reads return personal fields sealed (`{ $pd, s, k, c }` objects);
   * this returns the events with those fields opened, or null for forgotten
   * subjects. Repositories and projections do it themselves.
   */
  async revealPersonalData(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!Array.isArray(events)) throw invalidValue('events', 'an array of recorded events', events);
    return (await this.started()).personal.reveal(events);
  }

  // ---- aggregates

  /** The repository of an `@Aggregate` class: load, save and update its instances (see domain/aggregate-repository.ts). */
  aggregateRepository<T extends AggregateRoot>(aggregateClass: AggregateClass<T>, options?: AggregateRepositoryOptions): AggregateRepository<T> {
    return new AggregateRepository(this, aggregateClass, options);
  }

  // ---- subscriptions

  /** Transient: the events committed after this call, while subscribed (at most once, no acknowledgements). */
  async subscribe<T = RecordedEvent>(streamIdOrAll: string, handler: SubscriptionHandler<T>, options?: SubscribeOptions<T>): Promise<Subscription<T>> {
    return (await this.started()).subscriptions.subscribe(streamIdOrAll, handler, options);
  }

  /** Persistent subscription to one stream: resumes after its last acknowledged event, one owner across processes. */
  async subscribeToStream<T = RecordedEvent>(
    streamId: string,
    name: string,
    handler: SubscriptionHandler<T>,
    options?: PersistentSubscriptionOptions<T>,
  ): Promise<Subscription<T>> {
    return (await this.started()).subscriptions.subscribePersistent(streamId, name, handler, options);
  }

  /** Persistent subscription to `$all` (event numbers are `$all` positions). */
  async subscribeToAllStreams<T = RecordedEvent>(name: string, handler: SubscriptionHandler<T>, options?: PersistentSubscriptionOptions<T>): Promise<Subscription<T>> {
    return (await this.started()).subscriptions.subscribePersistent(ALL_STREAM, name, handler, options);
  }

  /** Stops the subscription if it runs in this store and deletes it with its checkpoint. */
  async deleteSubscription(streamIdOrAll: string, name: string): Promise<void> {
    return (await this.started()).subscriptions.deleteSubscription(streamIdOrAll, name);
  }

  // ---- projections

  /**
   * A runner for `@Projection` classes (built with no arguments) or instances
   * of them (built by the application, with their dependencies); see
   * projections/projection-runner.ts. Nothing runs until `runner.start()`.
   */
  projections(projections: ReadonlyArray<ProjectionClass | object>, options?: ProjectionRunnerOptions): ProjectionRunner {
    if (this.closed) throw new StoreClosedError();
    return new ProjectionRunner(this, this.storeProjections, projections, options);
  }

  // ---- the started services

  /**
   * The started store's services. The package's layers above the storage
   * core reach them here (projection runners, aggregate repositories), and
   * so do tests that watch the store from inside (its reader, notifier,
   * subscription locks); it is not part of the public API.
   * @internal
   */
  async internals(): Promise<StoreServices> {
    return this.started();
  }

  /** Starts the services once (concurrent callers share the start), or returns them. */
  private async started(): Promise<StoreServices> {
    if (this.closed) throw new StoreClosedError();
    if (this.services) return this.services;
    this.starting ??= this.startOnce();
    try {
      this.services = await this.starting;
    } catch (error) {
      this.starting = undefined;
      throw error;
    }
    if (this.closed) throw new StoreClosedError();
    return this.services;
  }

  private async startOnce(): Promise<StoreServices> {
    const { services, migrations } = await startServices({
      orm: this.orm,
      options: this.options,
      keyProvider: this.keyProvider,
      migrationOrm: async () => (this.migrationOrm ??= await joinedMigrationOrm(this.orm, this.options.schema)),
    });
    this.migrationReport = migrations;
    return services;
  }
}

/** A write's result, once the store's standby reads know to wait for it (read your writes). */
async function wrote<T>(services: StoreServices, options: WriteOptions | undefined, write: Promise<T>): Promise<T> {
  const result = await write;
  services.replicas?.ownWrites.wrote(transactionOf(options?.em));
  return result;
}
