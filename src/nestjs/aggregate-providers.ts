/** One provider per aggregate class: its repository, under `aggregateRepositoryToken(Class)`. */
import type { Provider } from '@nestjs/common';
import type { AggregateRoot } from '../domain/aggregate-root';
import { InvalidArgumentError } from '../errors';
import { AggregateClass, aggregateRepositoryToken } from '../domain/aggregate-repository';
import { EventStore } from '../store/event-store';
import { describe } from '../validation';

export function aggregateRepositoryProviders(aggregates: unknown): Provider[] {
  if (!Array.isArray(aggregates)) throw new InvalidArgumentError('aggregates', `expected an array of @Aggregate classes, got ${describe(aggregates)}`);
  return aggregates.map((aggregateClass: AggregateClass<AggregateRoot>) => ({
    // Throws AggregateNotRegisteredError for a class that is not an @Aggregate.
    provide: aggregateRepositoryToken(aggregateClass),
    useFactory: (store: EventStore) => store.aggregateRepository(aggregateClass),
    inject: [EventStore],
  }));
}
