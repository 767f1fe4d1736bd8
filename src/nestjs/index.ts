/** `mikro-orm-eventstore/nestjs`: the NestJS module (needs @nestjs/common and @nestjs/core). */
export { EventStoreModule } from './event-store.module';
export { EventStoreLifecycle } from './event-store-lifecycle';
export { InjectAggregateRepository, InjectEventStore } from './inject';
export { EventStoreSubscription, type EventStoreSubscriptionHandler, type EventStoreSubscriptionOptions } from './subscription.decorator';
export type {
  EventStoreModuleAsyncOptions,
  EventStoreModuleExtras,
  EventStoreModuleOptions,
  EventStoreModuleRootOptions,
  EventStoreOptionsFactory,
} from './module-options';
export { EVENT_STORE_MODULE_OPTIONS } from './tokens';
