/** One provider per aggregate class: its repository, under `aggregateRepositoryToken(Class)`. */
import type { Provider } from '@nestjs/common';
import type { AggregateRoot } from '../domain/aggregate-root';
import { AggregateClass, aggregateRepositoryToken } from '../domain/aggregate-repository';
import { EventStore } from '../store/event-store';
import { invalidValue } from '../validation';

export function aggregateRepositoryProviders(aggregates: unknown): Provider[] {
  if (!Array.isArray(aggregates)) throw invalidValue('aggregates', 'an array of @Aggregate classes', aggregates);
  return aggregates.map((aggregateClass: AggregateClass<AggregateRoot>) => ({
    // Throws AggregateNotRegisteredError for a class that is not an @Aggregate.
    provide: aggregateRepositoryToken(aggregateClass),
    useFactory: (store: EventStore) => store.aggregateRepository(aggregateClass),
    inject: [EventStore],
  }));
}
