/**
 * Starts the application's projections and persistent subscriptions once
 * every module is ready, and stops them, then closes the store, when the
 * application closes (before @mikro-orm/nestjs closes a joined MikroORM).
 *
 * Projections are the providers whose class is a `@Projection`; persistent
 * subscriptions are the providers whose class is an `@EventStoreSubscription`.
 * Injectable, to reach the running projections (`lag`, `status`, `rebuild`).
 */
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { ProjectionRunner } from '../projections/projection-runner';
import { projectionRegistry } from '../projections/registry';
import { EventStore } from '../store/event-store';
import type { Subscription } from '../subscriptions/subscription-options';
import { ALL_STREAM } from '../protocol';
import type { EventStoreModuleOptions } from './module-options';
import { EventStoreSubscriptionHandler, SubscriptionRegistration, subscriptionRegistrationOf } from './subscription.decorator';
import { EVENT_STORE_MODULE_OPTIONS } from './tokens';

@Injectable()
export class EventStoreLifecycle implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private runner?: ProjectionRunner;
  private readonly running = new Map<string, Subscription>();

  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(EVENT_STORE_MODULE_OPTIONS) private readonly options: EventStoreModuleOptions,
  ) {}

  /** The runner of the application's projections; undefined when it has none, or before the application started. */
  get projections(): ProjectionRunner | undefined {
    return this.runner;
  }

  /** The running persistent subscriptions, by name. */
  get subscriptions(): ReadonlyMap<string, Subscription> {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { projections, subscriptions } = this.discover();
    try {
      if (projections.length > 0) {
        this.runner = this.store.projections(projections, this.options.projections);
        await this.runner.start();
      }
      for (const { instance, registration } of subscriptions) await this.subscribe(instance, registration);
    } catch (error) {
      // The application does not start: nothing may keep running (or keep the process alive).
      await this.onModuleDestroy().catch(() => undefined);
      await this.store.close().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    const subscriptions = [...this.running.values()];
    this.running.clear();
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    await this.runner?.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  private async subscribe(instance: EventStoreSubscriptionHandler, { name, stream, options }: SubscriptionRegistration): Promise<void> {
    const handler = (events: Parameters<EventStoreSubscriptionHandler['handle']>[0], subscription: Subscription) => instance.handle(events, subscription);
    const subscription = stream === ALL_STREAM
      ? await this.store.subscribeToAllStreams(name, handler, options)
      : await this.store.subscribeToStream(stream, name, handler, options);
    this.running.set(name, subscription);
  }

  /** The singleton provider instances that are projections or subscriptions, each once. */
  private discover(): { projections: object[]; subscriptions: Array<{ instance: EventStoreSubscriptionHandler; registration: SubscriptionRegistration }> } {
    const seen = new Set<object>();
    const projections: object[] = [];
    const subscriptions: Array<{ instance: EventStoreSubscriptionHandler; registration: SubscriptionRegistration }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic() || seen.has(instance)) continue;
      seen.add(instance);
      if (projectionRegistry.projectionByClass(instance.constructor)) projections.push(instance);
      const registration = subscriptionRegistrationOf(instance);
      if (registration) subscriptions.push({ instance: instance as EventStoreSubscriptionHandler, registration });
    }
    return { projections, subscriptions };
  }
}
