/**
 * The store's subscriptions: it creates them, keeps the names in use in
 * this store, and owns what they share: the wake wakeHub (fed by the store's
 * LISTEN connection and by the fallback poller), the advisory-lock
 * connection and the subscription rows. `close()` stops every subscription
 * (persisting checkpoints) and releases every connection and timer.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@mikro-orm/core';
import type { ClientConfig } from 'pg';
import { SubscriptionAlreadyExistsError, SubscriptionNotFoundError } from '../errors';
import type { ResolvedFilter } from '../repositories/read-filter';
import type { StoreContext } from '../repositories/store-context';
import type { QueryRunner } from '../repositories/sql-runner';
import type { StreamReader } from '../repositories/stream-reader';
import type { RecordedEvent } from '../types';
import { ALL_STREAM } from '../protocol';
import { assertStreamIdOrAll, assertFilterTarget } from '../validation';
import { AdvisoryLocks } from './advisory-locks';
import { CheckpointBatcher } from './checkpoint-batcher';
import { EventSource, SharedReads } from './event-source';
import type { Notifier } from '../repositories/notifier';
import { Ownership, OwnershipListener, OwnershipTarget } from './ownership';
import { PersistentSubscription } from './persistent-subscription';
import { PositionPoller } from './position-poller';
import { subscriptionStatements } from './sql/subscriptions.sql';
import { SubscriptionRows } from './subscription-rows';
import {
  PersistentSubscriptionOptions,
  ResolvedSubscriptionSettings,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  assertHandler,
  assertSubscriptionName,
  resolvePersistentOptions,
  resolveSubscribeOptions,
} from './subscription-options';
import { TransientSubscription } from './transient-subscription';
import { Wakeable, WakeHub } from './wake-hub';

export interface SubscriptionManagerDeps {
  context: StoreContext;
  reader: StreamReader;
  notifier: Notifier;
  /** Settings of the dedicated advisory-lock connection. */
  connection: ClientConfig;
  settings: ResolvedSubscriptionSettings;
  /** With standbys: events are read there, and wake-ups wait until they have replayed what woke them. */
  replica?: {
    reader: StreamReader;
    runner: QueryRunner;
    gate: { pass(wake: () => void): void };
  };
}

export class SubscriptionManager {
  readonly rows: SubscriptionRows;
  readonly wakeHub: WakeHub;
  readonly locks: AdvisoryLocks;
  private readonly checkpoints: CheckpointBatcher;
  private readonly poller: PositionPoller;
  private readonly persistent = new Map<string, PersistentSubscription<any>>();
  private readonly transient = new Set<TransientSubscription<any>>();
  private readonly watchers = new Set<Wakeable>();
  /** Who this store is in the rows' `owner` column. */
  readonly ownerTag = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger: Logger;
  private readonly reads: SharedReads;
  private readonly onNotification = (payload: string) => this.afterReplay(() => this.wakeHub.notification(payload));
  private readonly onConnected = () => this.afterReplay(() => this.wakeHub.reconnected());
  private readonly afterReplay: (wake: () => void) => void;
  private readonly lastPosition: () => Promise<number>;
  private seeded?: Promise<void>;

  constructor(private readonly deps: SubscriptionManagerDeps) {
    const { context, settings } = deps;
    const sql = subscriptionStatements(context.naming);
    this.logger = context.logger;
    this.afterReplay = deps.replica ? (wake) => deps.replica!.gate.pass(wake) : (wake) => wake();
    this.reads = new SharedReads(deps.replica?.reader ?? deps.reader);
    this.rows = new SubscriptionRows(context.runner, sql);
    this.checkpoints = new CheckpointBatcher(this.rows);
    const readRunner = deps.replica?.runner ?? context.runner;
    this.wakeHub = new WakeHub(async (after, upTo, streamIds) => {
      const rows = await readRunner.query<{ stream_id: string }>(sql.streamsWithNewEvents, [after, upTo, streamIds]);
      return rows.map((row) => row.stream_id);
    }, context.logger);
    this.lastPosition = async () => {
      const [row] = await context.runner.query<{ last_position: number }>(context.sequencer.lastPosition, []);
      return row.last_position;
    };
    // With standbys, only a poll that found new positions waits for their replay.
    let polled = -1;
    this.poller = new PositionPoller(this.lastPosition, (position) => {
      if (deps.replica && position <= polled) return;
      polled = position;
      this.afterReplay(() => this.wakeHub.advance(position));
    }, settings.pollIntervalMs, context.logger);
    this.locks = new AdvisoryLocks({
      connection: deps.connection,
      tryLock: sql.tryLock,
      unlock: sql.unlock,
      leaseMs: settings.lockLeaseMs,
      onError: (error) => context.logger.error('info', `[eventstore] advisory-lock connection lost: ${error.message}`),
    });
    deps.notifier.on('notification', this.onNotification);
    deps.notifier.on('connected', this.onConnected);
  }

  async subscribe<T = RecordedEvent>(streamIdOrAll: string, handler: SubscriptionHandler<T>, options?: SubscribeOptions<T>): Promise<Subscription<T>> {
    assertStreamIdOrAll(streamIdOrAll, 'streamIdOrAll');
    assertHandler(handler);
    const resolved = resolveSubscribeOptions(options);
    await this.seedHub();
    const subscription = new TransientSubscription<T>(this.source(streamIdOrAll, resolved.filter), this.wakeHub, handler, resolved, this.logger,
      (stopped) => this.forget(() => this.transient.delete(stopped)));
    this.transient.add(subscription);
    this.poller.start();
    try {
      await subscription.start();
    } catch (error) {
      this.forget(() => this.transient.delete(subscription));
      throw error;
    }
    return subscription;
  }

  async subscribePersistent<T = RecordedEvent>(
    streamIdOrAll: string,
    name: string,
    handler: SubscriptionHandler<T>,
    options?: PersistentSubscriptionOptions<T>,
  ): Promise<Subscription<T>> {
    assertStreamIdOrAll(streamIdOrAll);
    assertSubscriptionName(name);
    assertHandler(handler);
    const resolved = resolvePersistentOptions(options);
    await this.seedHub();
    const key = keyOf(streamIdOrAll, name);
    if (this.persistent.has(key)) throw new SubscriptionAlreadyExistsError(streamIdOrAll, name);
    const subscription = new PersistentSubscription<T>(name, handler, resolved, {
      source: this.source(streamIdOrAll, resolved.filter),
      wakeHub: this.wakeHub,
      rows: this.rows,
      checkpoints: this.checkpoints,
      locks: this.locks,
      ownerTag: this.ownerTag,
      logger: this.logger,
      stopped: (stopped) => this.forget(() => this.persistent.get(key) === stopped && this.persistent.delete(key)),
    });
    this.persistent.set(key, subscription);
    this.poller.start();
    try {
      await subscription.start();
    } catch (error) {
      this.forget(() => this.persistent.delete(key));
      throw error;
    }
    return subscription;
  }

  /**
   * A claim on a named row of the subscriptions table that follows the
   * store's rules (lock connection, lease, fencing epoch), for other
   * consumers of `$all` such as the projection runner: see ownership.ts.
   */
  ownership(target: OwnershipTarget, takeoverIntervalMs: number, listener: OwnershipListener): Ownership {
    return new Ownership(this.rows, this.locks, this.ownerTag, target, takeoverIntervalMs, listener);
  }

  /**
   * Wakes `listener` whenever `$all` (or the stream) may have new events, as
   * it wakes subscriptions (notifications, reconnections, the fallback
   * poll), until the returned function is called.
   */
  async watch(streamIdOrAll: string, listener: Wakeable): Promise<() => void> {
    await this.seedHub();
    if (streamIdOrAll === ALL_STREAM) this.wakeHub.addAll(listener);
    else this.wakeHub.addStream(streamIdOrAll, listener);
    this.watchers.add(listener);
    this.poller.start();
    return () => {
      this.wakeHub.remove(listener);
      this.forget(() => this.watchers.delete(listener));
    };
  }

  /** Stops the subscription if it runs in this store, then deletes its row (and checkpoint). */
  async deleteSubscription(streamIdOrAll: string, name: string): Promise<void> {
    assertStreamIdOrAll(streamIdOrAll);
    assertSubscriptionName(name);
    const running = this.persistent.get(keyOf(streamIdOrAll, name));
    if (running) await running.unsubscribe();
    const deleted = await this.rows.delete(streamIdOrAll, name);
    if (!deleted && !running) throw new SubscriptionNotFoundError(streamIdOrAll, name);
  }

  async close(): Promise<void> {
    this.deps.notifier.off('notification', this.onNotification);
    this.deps.notifier.off('connected', this.onConnected);
    this.poller.stop();
    await Promise.all([
      ...[...this.persistent.values()].map((subscription) => subscription.unsubscribe()),
      ...[...this.transient].map((subscription) => subscription.unsubscribe()),
    ]);
    this.poller.stop();
    await this.locks.close();
  }

  /** Once per store: the wake wakeHub's starting point, so that its first notification is already a narrow range. */
  private seedHub(): Promise<void> {
    this.seeded ??= this.lastPosition().then(
      (position) => this.wakeHub.seed(position),
      (error) => {
        this.seeded = undefined;
        throw error;
      },
    );
    return this.seeded;
  }

  private source(streamIdOrAll: string, filter: ResolvedFilter | undefined): EventSource {
    assertFilterTarget(filter, streamIdOrAll);
    return new EventSource(this.deps.reader, this.reads, streamIdOrAll, filter);
  }

  /** Drops a stopped subscription; the shared poll and lock connection go when nobody needs them. */
  private forget(remove: () => unknown): void {
    remove();
    if (this.persistent.size === 0) void this.locks.disconnectIfIdle();
    if (this.persistent.size === 0 && this.transient.size === 0 && this.watchers.size === 0) this.poller.stop();
  }
}

function keyOf(streamIdOrAll: string, name: string): string {
  return `${streamIdOrAll === ALL_STREAM ? ALL_STREAM : `s:${streamIdOrAll}`}\u0000${name}`;
}
