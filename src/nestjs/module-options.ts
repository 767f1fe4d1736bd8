/** The options of EventStoreModule.forRoot / forRootAsync. */
import type { MikroORM } from '@mikro-orm/core';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { AggregateRoot } from '../domain/aggregate-root';
import type { ProjectionRunnerOptions } from '../projections/projection-options';
import type { AggregateClass } from '../domain/aggregate-repository';
import type { EventStoreConnectOptions } from '../store/store-options';

/** How the store is made: its own MikroORM from the connection options, or a joined `orm`. */
export interface EventStoreModuleOptions extends EventStoreConnectOptions {
  /**
   * Join this MikroORM (the application's, for example) instead of owning
   * one; `clientUrl`, `entities` and `mikroOrm` then do not apply.
   */
  orm?: MikroORM;
  /** Options of the runner of the application's `@Projection` providers. */
  projections?: ProjectionRunnerOptions;
}

export interface EventStoreModuleExtras {
  /** Aggregates whose repositories are provided to the whole application (`@InjectAggregateRepository(Class)`). */
  aggregates?: ReadonlyArray<AggregateClass<AggregateRoot>>;
}

export interface EventStoreModuleRootOptions extends EventStoreModuleOptions, EventStoreModuleExtras {
  /** Join the MikroORM that `MikroOrmModule` (@mikro-orm/nestjs) provides in this application. */
  useApplicationOrm?: boolean;
}

/** A class that makes the options (`useClass` / `useExisting`). */
export interface EventStoreOptionsFactory {
  createEventStoreOptions(): EventStoreModuleOptions | Promise<EventStoreModuleOptions>;
}

export interface EventStoreModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'>, EventStoreModuleExtras {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the factory's arguments are whatever `inject` lists
  useFactory?: (...args: any[]) => EventStoreModuleOptions | Promise<EventStoreModuleOptions>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useClass?: Type<EventStoreOptionsFactory>;
  useExisting?: Type<EventStoreOptionsFactory>;
}
