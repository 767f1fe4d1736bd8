/**
 * The store's options, validated and completed once (the rest of the code
 * receives a complete, typed configuration).
 */
import type { Options } from '@mikro-orm/postgresql';
import { InvalidArgumentError } from '../errors';
import type { PersonalDataOptions } from '../domain/personal-data/key-provider';
import { ResolvedSubscriptionSettings, SubscriptionSettings, resolveSubscriptionSettings } from '../subscriptions/subscription-options';
import { ResolvedRetentionJobOptions, RetentionJobOptions, resolveRetentionJobOptions } from '../retention/retention-job';
import { ReplicaOptions, ResolvedReplicaOptions, resolveReplicaOptions } from '../replication/replica-options';
import { assertObject, describe, invalidValue } from '../validation';
import { assertSchemaName } from '../repositories/schema-name';

export interface EventStoreOptions {
  /** The PostgreSQL schema that holds the store (created if needed); default `public`. */
  schema?: string | undefined;
  /** Allow `deleteStream(id, v, { hard: true })`; default false. */
  enableHardDeletes?: boolean | undefined;
  /**
   * URL for the store's dedicated LISTEN / advisory-lock connection, when the
   * pool goes through a transaction-mode pooler; default: the pool's own settings.
   */
  sessionUrl?: string | undefined;
  /** Safety sweep of the `$all` sequencer, in ms (0 turns it off); default 1000. */
  sequencerIntervalMs?: number | undefined;
  /** Store-wide subscription settings: fallback poll interval, advisory-lock lease. */
  subscriptions?: SubscriptionSettings | undefined;
  /** Crypto-shredding of `@PersonalData` fields: the master key (32 bytes) or a key provider (KMS) wrapping subjects' keys. */
  personalData?: PersonalDataOptions | undefined;
    /**
   * Hot standbys of the primary (one URL or several): reads, and the reads
   * of subscriptions and projections, go to them; writes, the sequencer,
   * LISTEN and locks stay on the primary. See docs/scaling.md.
   */
  replicaUrl?: string | string[] | undefined;
  /** How reads use the standbys: fallback, wait timeout, pool size. */
  replica?: ReplicaOptions | undefined;
  /** Runs the retention job (per-stream limits) in the background while the store is open: `true` or its options. */
  retentionJob?: boolean | RetentionJobOptions | undefined;
}

export interface EventStoreConnectOptions extends EventStoreOptions {
  /** PostgreSQL URL; default `process.env.DATABASE_URL`. */
  clientUrl?: string | undefined;
  /** The application's own entities (read models) to register in the store's MikroORM. */
  entities?: Options['entities'] | undefined;
  /** Further MikroORM options (pool, debug, logger, …) for the store's own MikroORM. */
  mikroOrm?: Partial<Options> | undefined;
}

export interface ResolvedStoreOptions {
  schema: string;
  enableHardDeletes: boolean;
  sessionUrl?: string;
  sequencerIntervalMs: number;
  subscriptions: ResolvedSubscriptionSettings;
  /** Undefined without standbys. */
  replicas?: ResolvedReplicaOptions;
  /** Undefined when the store runs no retention job of its own. */
  retentionJob?: ResolvedRetentionJobOptions;
}

export function resolveStoreOptions(options: EventStoreOptions = {}): ResolvedStoreOptions {
  assertObject(options, 'options');
  const schema = options.schema ?? 'public';
  assertSchemaName(schema);
  const enableHardDeletes = options.enableHardDeletes ?? false;
  if (typeof enableHardDeletes !== 'boolean') {
    throw invalidValue('enableHardDeletes', 'a boolean', enableHardDeletes);
  }
  if (options.sessionUrl !== undefined && (typeof options.sessionUrl !== 'string' || options.sessionUrl.length === 0)) {
    throw invalidValue('sessionUrl', 'a connection URL', options.sessionUrl);
  }
  const sequencerIntervalMs = options.sequencerIntervalMs ?? 1000;
  if (typeof sequencerIntervalMs !== 'number' || !Number.isInteger(sequencerIntervalMs) || sequencerIntervalMs < 0) {
    throw invalidValue('sequencerIntervalMs', 'an integer >= 0', sequencerIntervalMs);
  }
  const subscriptions = resolveSubscriptionSettings(options.subscriptions);
  const replicas = resolveReplicaOptions(options.replicaUrl, options.replica);
  const retentionJob = options.retentionJob === undefined || options.retentionJob === false ? undefined
    : resolveRetentionJobOptions(options.retentionJob === true ? {} : options.retentionJob);
  return { schema, enableHardDeletes, sessionUrl: options.sessionUrl, sequencerIntervalMs, subscriptions, replicas, retentionJob };
}

/** MikroORM's migrator takes a second pooled connection while a migration transaction holds the first. */
export const MIN_POOL_SIZE = 2;

export function assertPoolSize(options: EventStoreConnectOptions): void {
  const max = options.mikroOrm?.pool?.max;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < MIN_POOL_SIZE)) {
    throw new InvalidArgumentError('mikroOrm.pool.max', `the store needs a pool of at least ${MIN_POOL_SIZE} connections, got ${describe(max)}`);
  }
}

export function resolveClientUrl(options: EventStoreConnectOptions): string {
  const url = options.clientUrl ?? process.env.DATABASE_URL;
  if (typeof url !== 'string' || url.length === 0) {
    throw new InvalidArgumentError('clientUrl', 'no PostgreSQL URL: pass { clientUrl } or set DATABASE_URL');
  }
  return url;
}
