/**
 * What a started store runs, and how it is built: the storage core (writer,
 * readers, snapshots, the sequencer and its LISTEN connection), the
 * standbys, the subscriptions and personal-data protection. This is the one
 * place that knows every layer; the core below it knows none of them.
 */
import type { Logger, MikroORM as CoreMikroORM } from '@mikro-orm/core';
import { BackgroundSequencer } from '../repositories/background-sequencer';
import { Notifier } from '../repositories/notifier';
import { SnapshotStore } from '../repositories/snapshot-store';
import { SqlRunner } from '../repositories/sql-runner';
import { StoreContext } from '../repositories/store-context';
import { StreamReader } from '../repositories/stream-reader';
import { StreamWriter } from '../repositories/stream-writer';
import { NOTIFY_WRITE } from '../protocol';
import { ReadReplicas } from '../replication/read-replicas';
import { SubscriptionManager } from '../subscriptions/subscription-manager';
import type { KeyProvider } from '../domain/personal-data/key-provider';
import { PersonalDataProtection } from '../domain/personal-data/personal-data';
import { ResolvedRetentionJobOptions, RetentionJob } from '../retention/retention-job';
import { StreamRetentionStore } from '../retention/stream-retention';
import { connectionFailure } from './connection-errors';
import { knexOf, schemaUpToDate, serverOf, sessionConnection } from './orm-setup';
import { MigrationReport, migrateSchema } from './schema-migrator';
import type { ResolvedStoreOptions } from './store-options';

/** The services of a started store. */
export interface StoreServices {
  /** The schema's SQL, its runner on the primary, the store's logger. */
  context: StoreContext;
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
  retention: StreamRetentionStore;
  /** Retention jobs running for this store, stopped with it. */
  retentionJobs: Set<RetentionJob>;
}

export interface StartOptions {
  orm: CoreMikroORM;
  options: ResolvedStoreOptions;
  keyProvider?: KeyProvider;
  /** The ORM that runs the migrations, built only when the schema needs them. */
  migrationOrm: () => Promise<Parameters<typeof migrateSchema>[0]>;
}

/** Migrates the schema when needed, then builds and starts the store's services. */
export async function startServices({ orm, options, keyProvider, migrationOrm }: StartOptions): Promise<{ services: StoreServices; migrations: MigrationReport }> {
  const knex = knexOf(orm);
  let migrations: MigrationReport = { applied: [] };
  try {
    // The store's first contact with the server. A schema found up to date
    // is not migrated: no DDL, so a role without DDL rights can connect.
    if (!(await schemaUpToDate(new SqlRunner(knex), options.schema))) {
      migrations = await migrateSchema(await migrationOrm(), options.schema, sessionConnection(knex, options.sessionUrl));
    }
  } catch (error) {
    throw connectionFailure(error, serverOf(knex)) ?? error;
  }
  const logger = orm.config.getLogger();
  const context = new StoreContext(options.schema, new SqlRunner(knex), logger, options.enableHardDeletes);
  const [{ channel }] = await context.runner.query<{ channel: string }>(context.sequencer.channel, []);
  const notifier = new Notifier({
    connection: sessionConnection(knex, options.sessionUrl),
    channel,
    onError: (error) => logError(logger, 'LISTEN connection lost, reconnecting', error),
  });
  const sequencer = new BackgroundSequencer(context.runner, context.sequencer.sequence, options.sequencerIntervalMs,
    (error) => logError(logger, 'background sequencing failed', error));
  notifier.on('notification', (payload) => {
    if (payload === NOTIFY_WRITE) sequencer.wake();
    else context.positions.notified(payload);
  });
  notifier.on('connected', () => {
    sequencer.wake();
    context.positions.notified();
  });
  const reader = new StreamReader(context);
  const replicas = options.replicas && new ReadReplicas(context.runner, options.replicas, logger);
  const routedReader = replicas ? new StreamReader(context, replicas.router) : reader;
  // The schema may be new: the first read waits until the standbys have it.
  replicas?.ownWrites.wrote();
  const subscriptions = new SubscriptionManager({
    context, reader, notifier,
    connection: sessionConnection(knex, options.sessionUrl), settings: options.subscriptions,
    ...(replicas && { replica: { reader: routedReader, runner: replicas.router, gate: replicas.gate } }),
  });
  const personal = new PersonalDataProtection(context.runner, context.naming, keyProvider);
  try {
    await personal.check();
    await notifier.start();
  } catch (error) {
    await replicas?.close();
    throw error;
  }
  sequencer.start();
  const services: StoreServices = {
    context, writer: new StreamWriter(context), reader, routedReader, replicas, snapshots: new SnapshotStore(context), notifier, sequencer, subscriptions, personal,
    retention: new StreamRetentionStore(context), retentionJobs: new Set(),
  };
  if (options.retentionJob) startRetention(services, options.retentionJob, logger);
  return { services, migrations };
}

/** Stops what `startServices` started. */
export async function stopServices(services: StoreServices): Promise<void> {
  await Promise.all([...services.retentionJobs].map((job) => job.stop()));
  await services.subscriptions.close();
  await services.sequencer.stop();
  await services.notifier.stop();
  await services.replicas?.close();
}

/** Starts a retention job for the store; `stopServices` stops it. */
export function startRetention(services: StoreServices, options: ResolvedRetentionJobOptions, logger: Logger): RetentionJob {
  const job = new RetentionJob(services.context, options, logger);
  services.retentionJobs.add(job);
  job.start();
  return job;
}

function logError(logger: Logger, message: string, error: unknown): void {
  logger.error('info', `[eventstore] ${message}: ${(error as Error)?.message ?? String(error)}`);
}
