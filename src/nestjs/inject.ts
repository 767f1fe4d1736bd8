/** Parameter and property decorators that inject the store and aggregate repositories. */
import { Inject } from '@nestjs/common';
import type { AggregateRoot } from '../domain/aggregate-root';
import { AggregateClass, aggregateRepositoryToken } from '../domain/aggregate-repository';
import { EventStore } from '../store/event-store';

type InjectDecorator = ReturnType<typeof Inject>;

/** Injects the application's EventStore (a constructor parameter typed `EventStore` needs no decorator). */
export function InjectEventStore(): InjectDecorator {
  return Inject(EventStore);
}

/** Injects the `AggregateRepository` of an `@Aggregate` class listed in `aggregates` of forRoot or forFeature. */
export function InjectAggregateRepository<T extends AggregateRoot>(aggregateClass: AggregateClass<T>): InjectDecorator {
  return Inject(aggregateRepositoryToken(aggregateClass));
}
