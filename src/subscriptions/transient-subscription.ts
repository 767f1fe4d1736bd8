/**
 * A transient subscription: the events of `$all` or of one stream committed
 * after it was made, in ordered batches, while it lasts. No row, no lock,
 * no acknowledgement: delivery is at most once, and a handler that throws
 * is reported and passed by.
 *
 * Like the persistent kind it reads the store from its own cursor when
 * woken, so it neither skips nor repeats; it registers for wake-ups before
 * it fixes its starting point, so nothing slips between the two.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '@mikro-orm/core';
import { StreamDeletedError, SubscriptionHandlerError } from '../errors';
import type { RecordedEvent } from '../types';
import { ackedEventNumber } from './ack-target';
import { Backoff } from './backoff';
import type { EventSource } from './event-source';
import { traceDelivery } from '../telemetry';
import { notifyState, reportError } from './report-error';
import type {
  AckTarget,
  ResolvedSubscribeOptions,
  Subscription,
  SubscriptionEvents,
  SubscriptionHandler,
  SubscriptionState,
} from './subscription-options';
import { SUBSCRIPTION_DEFAULTS } from './subscription-options';
import type { Wakeable, WakeHub } from './wake-hub';

export class TransientSubscription<T = RecordedEvent> extends EventEmitter<SubscriptionEvents> implements Subscription<T>, Wakeable {
  readonly name = undefined;
  readonly streamId: string;
  private current: SubscriptionState = 'starting';
  private cursor = 0;
  private started = false;
  private more = false;
  private running = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly backoff = new Backoff(SUBSCRIPTION_DEFAULTS.retryDelayMs, SUBSCRIPTION_DEFAULTS.maxRetryDelayMs);

  constructor(
    private readonly source: EventSource,
    private readonly wakeHub: WakeHub,
    private readonly handler: SubscriptionHandler<T>,
    private readonly options: ResolvedSubscribeOptions<T>,
    private readonly logger: Logger,
    private readonly stopped: (subscription: TransientSubscription<any>) => void,
  ) {
    super();
    this.streamId = source.streamId;
  }

  get state(): SubscriptionState {
    return this.current;
  }

  async start(): Promise<void> {
    notifyState(this, this.current, this.options.onState as ((state: SubscriptionState, subscription: this) => void) | undefined);
    if (this.source.isAll) this.wakeHub.addAll(this);
    else this.wakeHub.addStream(this.streamId, this);
    try {
      this.cursor = await this.source.end();
    } catch (error) {
      this.wakeHub.remove(this);
      this.setState('stopped');
      throw error;
    }
    this.started = true;
    this.setState('live');
    if (this.more) this.run();
  }

  /** Nothing to acknowledge: delivery is at most once. */
  async ack(events: AckTarget<T>): Promise<void> {
    ackedEventNumber(events, new WeakMap());
  }

  async unsubscribe(): Promise<void> {
    if (this.current === 'stopped') return;
    this.setState('stopped');
    this.wakeHub.remove(this);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopped(this);
  }

  wake(position?: number): void {
    if (this.current === 'stopped') return;
    if (this.started && position !== undefined && this.source.isAll && position <= this.cursor) return;
    this.more = true;
    if (this.started && !this.retryTimer) this.run();
  }

  private run(): void {
    if (this.running) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      // A wake-up between the loop's last check and now.
      if (this.more && !this.retryTimer && this.current !== 'stopped') this.run();
    });
  }

  private async loop(): Promise<void> {
    while (this.more && !this.isStopped()) {
      this.more = false;
      let page;
      try {
        page = await this.source.read(this.cursor, SUBSCRIPTION_DEFAULTS.minReadBatchSize);
      } catch (error) {
        if (error instanceof StreamDeletedError) {
          this.report(error);
          await this.unsubscribe();
          return;
        }
        this.more = true;
        this.retryLater(error as Error);
        return;
      }
      if (this.isStopped()) return;
      this.backoff.reset();
      if (page.full) this.more = true;
      if (page.unsequenced) this.wakeHub.wakeOnNextPosition(this);
      if (page.scannedTo !== undefined && page.scannedTo > this.cursor) this.cursor = page.scannedTo;
      if (page.events.length === 0) continue;
      this.cursor = Math.max(this.cursor, page.events[page.events.length - 1].eventNumber);
      try {
        const { selector, mapper } = this.options;
        const selected = selector ? page.events.filter(selector) : page.events;
        if (selected.length > 0) await traceDelivery(undefined, this.streamId, selected, () => this.handler((mapper ? selected.map(mapper) : selected) as T[], this));
      } catch (error) {
        this.report(new SubscriptionHandlerError(this.streamId, undefined, error));
      }
    }
  }

  private retryLater(error: Error): void {
    this.report(error);
    if (this.isStopped()) return;
    this.setState('retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === 'stopped') return;
      this.setState('live');
      this.run();
    }, this.backoff.delay());
    this.retryTimer.unref();
  }

  private isStopped(): boolean {
    return this.current === 'stopped';
  }

  private setState(state: SubscriptionState): void {
    if (this.current === state || this.current === 'stopped') return;
    this.current = state;
    notifyState(this, state, this.options.onState as ((state: SubscriptionState, subscription: this) => void) | undefined);
  }

  private report(error: Error): void {
    reportError(this, error, this.options.onError as ((error: Error, subscription: this) => void) | undefined, this.logger, `transient subscription to ${this.streamId}`);
  }
}
