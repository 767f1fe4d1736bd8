/**
 * The event store: streams, `$all`, links, snapshots and deletes on
 * PostgreSQL through MikroORM. `EventStore.connect()` owns its MikroORM;
 * `new EventStore(orm)` joins an application's MikroORM (its pool and
 * transactions) and runs the store's migrations in the store's schema on
 * first use.
 */
import type { Logger, MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/postgresql';
import type { ClientConfig } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { STORE_ENTITIES } from '../entities';
import { InvalidArgumentError, StoreClosedError } from '../errors';
import { appendWithInlineProjections } from '../projections/inline-append';
import type { ProjectionClass } from '../projections/projection-definition';
import { ProjectionHub } from '../projections/projection-hub';
import type { ProjectionRunnerOptions } from '../projections/projection-options';
import { ProjectionRunner } from '../projections/projection-runner';
import { ReadReplicas } from '../replication/read-replicas';
import { Notifier } from '../subscriptions/notifier';
import { SubscriptionManager } from '../subscriptions/subscription-manager';
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
import { ALL_STREAM, describe } from '../validation';
import type { AggregateRoot } from '../domain/aggregate-root';
import { KeyProvider, resolveKeyProvider } from '../personal-data/key-provider';
import { PersonalDataProtection } from '../personal-data/personal-data';
import { SUBJECT_FORGOTTEN_STREAM } from '../personal-data/subject-forgotten';
import { AggregateClass, AggregateRepository, AggregateRepositoryOptions } from './aggregate-repository';
import { BackgroundSequencer } from './background-sequencer';
import { ReadModelSchemaReport, updateReadModelSchema } from './read-model-schema';
import { ServerAddress, connectionFailure } from './connection-errors';
import { MigrationReport, migrateSchema } from './schema-migrator';
import { quoteSchema } from './schema-name';
import { SnapshotStore } from './snapshot-store';
import { SqlRunner, transactionOf } from './sql-runner';
import { StoreContext } from './store-context';
import {
  EventStoreConnectOptions,
  EventStoreOptions,
  ResolvedStoreOptions,
  assertPoolSize,
  resolveClientUrl,
  resolveStoreOptions,
} from './store-options';
import { StreamReader, streamForwardArgs } from './stream-reader';
import { StreamWriter } from './stream-writer';

let instances = 0;

/** The parts of a started store. */
interface Running {
  ctx: StoreContext;
  writer: StreamWriter;
  reader: StreamReader;
  /** Reads that standbys may serve: `reader` itself when the store has none. */
  routedReader: StreamReader;
  /** The store's standbys, when it has some. */
  replicas?: ReadReplicas;
  snapshots: SnapshotStore;
  notifier: Notifier;
  sequencer: BackgroundSequencer;
  subscriptions: SubscriptionManager;
  personal: PersonalDataProtection;
}

export class EventStore {
  /** The MikroORM the store uses: its own (`connect`) or the application's (`new EventStore(orm)`). */
  readonly orm: CoreMikroORM;
  private readonly options: ResolvedStoreOptions;
  private readonly keyProvider?: KeyProvider;
  /** The ORM that runs the store's migrations; owned by the store when `ownsOrm`. */
  private migrationOrm?: MikroORM;
  private ownsOrm = false;
  private starting?: Promise<Running>;
  private running?: Running;
  private closed = false;
  private migrationReport: MigrationReport = { applied: [] };
  /** @internal This store's projection runners and the inline projections its appends apply. */
  readonly projectionHub = new ProjectionHub();

  /** Joins an application's MikroORM (PostgreSQL driver); the store's tables go to `options.schema`. */
  constructor(orm: CoreMikroORM, options: EventStoreOptions = {}) {
    if (!orm || typeof (orm as CoreMikroORM).em?.getPlatform !== 'function') {
      throw new InvalidArgumentError('orm', `expected a MikroORM instance, got ${describe(orm)}`);
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
    const orm = await MikroORM.init({
      ...options.mikroOrm,
      // knex reports dead pool connections (after a server restart) on the console otherwise.
      driverOptions: withKnexLog(options.mikroOrm?.driverOptions, knexLog),
      clientUrl,
      schema: resolved.schema,
      entities: [...STORE_ENTITIES, ...((options.entities as unknown[]) ?? [])] as never,
      // A context of its own, so that this ORM's calls never resolve to
      // another ORM's EntityManager (TOOLCHAIN §5, Q3).
      contextName: `eventstore:${resolved.schema}:${++instances}`,
      extensions: [Migrator, ...(options.mikroOrm?.extensions ?? [])],
      migrations: migrationOptions(),
      discovery: { warnWhenNoEntities: false, ...options.mikroOrm?.discovery },
      ensureDatabase: false,
    });
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
    await this.parts();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = this.running ?? (await this.starting?.catch(() => undefined));
    if (running) {
      await this.projectionHub.close();
      await running.subscriptions.close();
      await running.sequencer.stop();
      await running.notifier.stop();
      await running.replicas?.close();
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
    const parts = await this.parts();
    // Personal fields of @DomainEvent classes are sealed with their subject's key before anything is written.
    events = await parts.personal.protect(streamId, expectedVersion, events);
    // Inline projections started in this store: their changes commit with the append.
    const inline = this.projectionHub.inlineAppliers;
    if (inline) {
      return wrote(parts, options, appendWithInlineProjections(
        {
          orm: this.orm, writer: parts.writer, ctx: parts.ctx,
          reveal: (recorded) => parts.personal.reveal(recorded),
          positionOf: async (id, version) => (await parts.reader.readStreamBackward(id, version, 1))[0]?.position ?? null,
        }, inline, streamId, expectedVersion, events, options));
    }
    return wrote(parts, options, parts.writer.append(streamId, expectedVersion, events, options));
  }

  async linkToStream(
    streamId: string,
    expectedVersion: ExpectedVersionValue,
    events: ReadonlyArray<string | Pick<RecordedEvent, 'eventId'>>,
    options?: WriteOptions,
  ): Promise<AppendResult> {
    const parts = await this.parts();
    return wrote(parts, options, parts.writer.link(streamId, expectedVersion, events, options));
  }

  async deleteStream(streamId: string, expectedVersion: ExpectedVersionValue, options?: DeleteOptions): Promise<void> {
    const parts = await this.parts();
    return wrote(parts, options, parts.writer.delete(streamId, expectedVersion, options));
  }

  // ---- reading
  // `T` is the type of the events' `data` as the caller knows it (stored JSON, not checked): unknown by default.

  async readStreamForward<T = unknown>(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(streamId, async () => (await this.parts()).routedReader.readStreamForward(streamId, startVersion, count)) as Promise<RecordedEvent<T>[]>;
  }

  async readStreamBackward<T = unknown>(streamId: string, startVersion?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(streamId, async () => (await this.parts()).routedReader.readStreamBackward(streamId, startVersion, count)) as Promise<RecordedEvent<T>[]>;
  }

  /** With `{ filter }`: only the matching events, chosen in the database; `count` counts matches. */
  async readAllForward<T = unknown>(startPosition?: number, count?: number, options?: ReadAllOptions): Promise<RecordedEvent<T>[]> {
    return traceRead(ALL_STREAM, async () => (await this.parts()).routedReader.readAllForward(startPosition, count, options)) as Promise<RecordedEvent<T>[]>;
  }

  async readAllBackward<T = unknown>(startPosition?: number, count?: number): Promise<RecordedEvent<T>[]> {
    return traceRead(ALL_STREAM, async () => (await this.parts()).routedReader.readAllBackward(startPosition, count)) as Promise<RecordedEvent<T>[]>;
  }

  /** Yields the stream's events one at a time, reading `batchSize` (default 1000) per query. */
  streamForward<T = unknown>(streamId: string, startVersion = 0, options: StreamReadOptions = {}): AsyncIterable<RecordedEvent<T>> {
    streamForwardArgs(streamId, startVersion, options);
    const parts = () => this.parts();
    return {
      async *[Symbol.asyncIterator]() {
        yield* (await parts()).routedReader.streamForward(streamId, startVersion, options) as AsyncIterable<RecordedEvent<T>>;
      },
    };
  }

  /** Yields `$all` one event at a time, reading `batchSize` (default 1000) per query. */
  streamAllForward<T = unknown>(startPosition = 0, options: StreamReadOptions = {}): AsyncIterable<RecordedEvent<T>> {
    return this.streamForward<T>(ALL_STREAM, startPosition, options);
  }

  async streamInfo(streamId: string): Promise<StreamInfo> {
    return (await this.parts()).routedReader.streamInfo(streamId);
  }

  async paginateStreams(options?: PaginateStreamsOptions): Promise<StreamPage> {
    return (await this.parts()).routedReader.paginateStreams(options);
  }

  // ---- snapshots

  async recordSnapshot(snapshot: SnapshotData, options?: WriteOptions): Promise<void> {
    return (await this.parts()).snapshots.record(snapshot, options);
  }

  async readSnapshot(sourceId: string): Promise<SnapshotData> {
    return (await this.parts()).snapshots.read(sourceId);
  }

  async deleteSnapshot(sourceId: string, options?: WriteOptions): Promise<void> {
    return (await this.parts()).snapshots.delete(sourceId, options);
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
    const parts = await this.parts();
    const em = this.orm.em.fork({ disableContextResolution: true });
    const appended = await em.transactional(async (tx) => {
      if (!(await parts.personal.forget(subjectId, transactionOf(tx)!))) return false;
      await this.appendToStream(SUBJECT_FORGOTTEN_STREAM, ExpectedVersion.Any, [{ eventType: '$SubjectForgotten', data: { subjectId } }], { em: tx });
      return true;
    });
    // Numbered before returning, as a plain append is (read your writes).
    if (appended) await parts.ctx.runner.query(parts.ctx.sequencer.sequence, [null]);
  }

  /**
   * Raw reads return personal fields sealed (`{ $pd, s, k, c }` objects);
   * this returns the events with those fields opened, or null for forgotten
   * subjects. Repositories and projections do it themselves.
   */
  async revealPersonalData(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!Array.isArray(events)) throw new InvalidArgumentError('events', `expected an array of recorded events, got ${describe(events)}`);
    return (await this.parts()).personal.reveal(events);
  }

  // ---- aggregates

  /** The repository of an `@Aggregate` class: load, save and update its instances (see aggregate-repository.ts). */
  aggregateRepository<T extends AggregateRoot>(aggregateClass: AggregateClass<T>, options?: AggregateRepositoryOptions): AggregateRepository<T> {
    return new AggregateRepository(this, aggregateClass, options);
  }

  // ---- subscriptions

  /** Transient: the events committed after this call, while subscribed (at most once, no acknowledgements). */
  async subscribe<T = RecordedEvent>(streamIdOrAll: string, handler: SubscriptionHandler<T>, options?: SubscribeOptions<T>): Promise<Subscription<T>> {
    return (await this.parts()).subscriptions.subscribe(streamIdOrAll, handler, options);
  }

  /** Persistent subscription to one stream: resumes after its last acknowledged event, one owner across processes. */
  async subscribeToStream<T = RecordedEvent>(
    streamId: string,
    name: string,
    handler: SubscriptionHandler<T>,
    options?: PersistentSubscriptionOptions<T>,
  ): Promise<Subscription<T>> {
    return (await this.parts()).subscriptions.subscribePersistent(streamId, name, handler, options);
  }

  /** Persistent subscription to `$all` (event numbers are `$all` positions). */
  async subscribeToAllStreams<T = RecordedEvent>(name: string, handler: SubscriptionHandler<T>, options?: PersistentSubscriptionOptions<T>): Promise<Subscription<T>> {
    return (await this.parts()).subscriptions.subscribePersistent(ALL_STREAM, name, handler, options);
  }

  /** Stops the subscription if it runs in this store and deletes it with its checkpoint. */
  async deleteSubscription(streamIdOrAll: string, name: string): Promise<void> {
    return (await this.parts()).subscriptions.deleteSubscription(streamIdOrAll, name);
  }

  // ---- projections

  /**
   * A runner for `@Projection` classes (built with no arguments) or instances
   * of them (built by the application, with their dependencies); see
   * projections/projection-runner.ts. Nothing runs until `runner.start()`.
   */
  projections(projections: ReadonlyArray<ProjectionClass | object>, options?: ProjectionRunnerOptions): ProjectionRunner {
    if (this.closed) throw new StoreClosedError();
    return new ProjectionRunner(this, this.projectionHub, projections, options);
  }

  // ---- internals shared with the other parts of the package

  /** @internal */
  async internals(): Promise<Running> {
    return this.parts();
  }

  private async parts(): Promise<Running> {
    if (this.closed) throw new StoreClosedError();
    if (this.running) return this.running;
    this.starting ??= this.boot();
    try {
      this.running = await this.starting;
    } catch (error) {
      this.starting = undefined;
      throw error;
    }
    if (this.closed) throw new StoreClosedError();
    return this.running;
  }

  private async boot(): Promise<Running> {
    const knex = knexOf(this.orm);
    try {
      // The store's first contact with the server. A schema found up to date
      // is not migrated: no DDL, so a role without DDL rights can connect.
      if (!(await schemaUpToDate(new SqlRunner(knex), this.options.schema))) {
        const migrationOrm = (this.migrationOrm ??= await this.joinedMigrationOrm());
        this.migrationReport = await migrateSchema(migrationOrm, this.options.schema, sessionConnection(knex, this.options.sessionUrl));
      }
    } catch (error) {
      throw connectionFailure(error, serverOf(knex)) ?? error;
    }
    const logger = this.orm.config.getLogger();
    const ctx = new StoreContext(this.options.schema, new SqlRunner(knex), logger, this.options.enableHardDeletes);
    const [{ channel }] = await ctx.runner.query<{ channel: string }>(ctx.sequencer.channel, []);
    const notifier = new Notifier({
      connection: sessionConnection(knex, this.options.sessionUrl),
      channel,
      onError: (error) => logError(logger, 'LISTEN connection lost, reconnecting', error),
    });
    const sequencer = new BackgroundSequencer(ctx.runner, ctx.sequencer.sequence, this.options.sequencerIntervalMs,
      (error) => logError(logger, 'background sequencing failed', error));
    notifier.on('notification', (payload) => {
      if (payload === 'w') sequencer.wake();
      else ctx.positions.notified(payload);
    });
    notifier.on('connected', () => {
      sequencer.wake();
      ctx.positions.notified();
    });
    const reader = new StreamReader(ctx);
    const replicas = this.options.replicas && new ReadReplicas(ctx.runner, this.options.replicas, logger);
    const routedReader = replicas ? new StreamReader(ctx, replicas.router) : reader;
    // The schema may be new: the first read waits until the standbys have it.
    replicas?.ownWrites.wrote();
    const subscriptions = new SubscriptionManager({
      ctx, reader, notifier,
      connection: sessionConnection(knex, this.options.sessionUrl), settings: this.options.subscriptions,
      ...(replicas && { replica: { reader: routedReader, runner: replicas.router, gate: replicas.gate } }),
    });
    const personal = new PersonalDataProtection(ctx.runner, ctx.sql, this.keyProvider);
    try {
      await personal.check();
      await notifier.start();
    } catch (error) {
      await replicas?.close();
      throw error;
    }
    sequencer.start();
    return { ctx, writer: new StreamWriter(ctx), reader, routedReader, replicas, snapshots: new SnapshotStore(ctx), notifier, sequencer, subscriptions, personal };
  }

  /** An ORM of the store's entities on the application's pool, for migrations only. */
  private async joinedMigrationOrm(): Promise<MikroORM> {
    return MikroORM.init({
      entities: STORE_ENTITIES,
      schema: this.options.schema,
      dbName: this.orm.config.get('dbName'),
      driverOptions: knexOf(this.orm),
      contextName: `eventstore:${this.options.schema}:${++instances}`,
      extensions: [Migrator],
      migrations: migrationOptions(),
      ensureDatabase: false,
      debug: false,
    });
  }
}

/** Whether every migration of the store is recorded as applied in the schema (read only). */
async function schemaUpToDate(runner: SqlRunner, schema: string): Promise<boolean> {
  const table = `${quoteSchema(schema)}.mikro_orm_migrations`;
  const [{ present }] = await runner.query<{ present: boolean }>({ text: 'select to_regclass($1) is not null as present' }, [table]);
  if (!present) return false;
  const rows = await runner.query<{ name: string }>({ text: `select name from ${table}` }, []);
  const applied = new Set(rows.map((row) => row.name));
  return MIGRATIONS.every((migration) => applied.has(migration.name));
}

/** A write's result, once the store's standby reads know to wait for it (read your writes). */
async function wrote<T>(parts: Running, options: WriteOptions | undefined, write: Promise<T>): Promise<T> {
  const result = await write;
  parts.replicas?.ownWrites.wrote(transactionOf(options?.em));
  return result;
}

function migrationOptions() {
  return { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true };
}

function knexOf(orm: CoreMikroORM): Knex {
  return (orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
}

/** Where the pool connects, for errors. */
function serverOf(knex: Knex): ServerAddress {
  const settings = (knex.client as unknown as { connectionSettings?: Record<string, unknown> }).connectionSettings ?? {};
  return { host: settings.host, port: settings.port, database: settings.database };
}

/** Connection settings for the dedicated LISTEN / lock connection. */
function sessionConnection(knex: Knex, sessionUrl: string | undefined): ClientConfig {
  if (sessionUrl) return { connectionString: sessionUrl };
  const settings = (knex.client as unknown as { connectionSettings: Record<string, unknown> }).connectionSettings ?? {};
  const { types: _types, ...rest } = settings;
  // knex keeps the password as a hidden (non-enumerable) property.
  return { ...rest, password: settings.password } as ClientConfig;
}

/** knex's log sent to MikroORM's logger (which prints only in debug mode), unless driverOptions is a knex instance. */
function withKnexLog(driverOptions: Record<string, unknown> | undefined, holder: { logger?: Logger }): Record<string, unknown> {
  if (typeof driverOptions === 'function' || driverOptions?.context) return driverOptions as Record<string, unknown>;
  const log = (message: unknown) => holder.logger?.warn('info', `[eventstore] knex: ${String(message)}`);
  return { log: { warn: log, error: log, deprecate: log, debug: () => undefined }, ...driverOptions };
}

function logError(logger: Logger, message: string, error: unknown): void {
  logger.error('info', `[eventstore] ${message}: ${(error as Error)?.message ?? String(error)}`);
}
