/**
 * The NestJS module.
 *
 * - `EventStoreModule.forRoot(options)` / `forRootAsync({ useFactory, inject })`:
 *   the application's EventStore, available everywhere (inject it by type or
 *   with `@InjectEventStore()`), owning a MikroORM or joining one;
 * - `EventStoreModule.forFeature([Aggregate, ...])`: the repositories of
 *   those aggregates in one module (`@InjectAggregateRepository(Aggregate)`);
 * - `@Projection` and `@EventStoreSubscription` providers of any module are
 *   started with the application and stopped when it closes.
 */
import { MikroORM } from '@mikro-orm/core';
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InvalidArgumentError } from '../errors';
import type { AggregateRoot } from '../domain/aggregate-root';
import type { AggregateClass } from '../domain/aggregate-repository';
import { EventStore } from '../store/event-store';
import { assertObject } from '../validation';
import { aggregateRepositoryProviders } from './aggregate-providers';
import { createStore } from './create-store';
import { EventStoreLifecycle } from './event-store-lifecycle';
import type { EventStoreModuleAsyncOptions, EventStoreModuleOptions, EventStoreModuleRootOptions, EventStoreOptionsFactory } from './module-options';
import { EVENT_STORE_MODULE_OPTIONS } from './tokens';

@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleRootOptions = {}): DynamicModule {
    assertObject(options, 'options');
    const { aggregates = [], useApplicationOrm = false, ...storeOptions } = options;
    if (useApplicationOrm && storeOptions.orm) throw new InvalidArgumentError('useApplicationOrm', 'pass either orm or useApplicationOrm, not both');
    const optionsProvider: Provider = useApplicationOrm
      ? { provide: EVENT_STORE_MODULE_OPTIONS, useFactory: (orm: MikroORM) => ({ ...storeOptions, orm }), inject: [MikroORM] }
      : { provide: EVENT_STORE_MODULE_OPTIONS, useValue: storeOptions };
    return { module: EventStoreModule, imports: [EventStoreCoreModule.register([optionsProvider], aggregates, [])] };
  }

  static forRootAsync(options: EventStoreModuleAsyncOptions): DynamicModule {
    assertObject(options, 'options');
    const { aggregates = [], imports = [] } = options;
    return { module: EventStoreModule, imports: [EventStoreCoreModule.register(asyncOptionsProviders(options), aggregates, imports)] };
  }

  static forFeature(aggregates: ReadonlyArray<AggregateClass<AggregateRoot>>): DynamicModule {
    const providers = aggregateRepositoryProviders(aggregates);
    return { module: EventStoreModule, providers, exports: providers };
  }
}

/** The global part: options, the store, the lifecycle and the root's aggregate repositories. */
@Global()
@Module({})
class EventStoreCoreModule {
  static register(optionsProviders: Provider[], aggregates: unknown, imports: NonNullable<DynamicModule['imports']>): DynamicModule {
    const repositories = aggregateRepositoryProviders(aggregates);
    const store: Provider = {
      provide: EventStore,
      useFactory: (options: EventStoreModuleOptions) => createStore(options),
      inject: [EVENT_STORE_MODULE_OPTIONS],
    };
    return {
      module: EventStoreCoreModule,
      imports: [DiscoveryModule, ...imports],
      providers: [...optionsProviders, store, EventStoreLifecycle, ...repositories],
      exports: [EventStore, EventStoreLifecycle, ...repositories],
    };
  }
}

function asyncOptionsProviders(options: EventStoreModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [{ provide: EVENT_STORE_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new InvalidArgumentError('forRootAsync', 'expected useFactory, useClass or useExisting');
  return [
    ...(options.useClass ? [{ provide: options.useClass, useClass: options.useClass }] : []),
    {
      provide: EVENT_STORE_MODULE_OPTIONS,
      useFactory: (factory: EventStoreOptionsFactory) => factory.createEventStoreOptions(),
      inject: [factoryClass],
    },
  ];
}
