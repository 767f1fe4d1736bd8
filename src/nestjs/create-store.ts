/** Makes the module's EventStore from its options: owning a MikroORM, or joining one. */
import { InvalidArgumentError } from '../errors';
import { EventStore } from '../store/event-store';
import { assertObject } from '../validation';
import type { EventStoreModuleOptions } from './module-options';

export async function createStore(options: EventStoreModuleOptions): Promise<EventStore> {
  assertObject(options, 'options');
  const { orm, projections: _runnerOptions, ...storeOptions } = options;
  if (!orm) return EventStore.connect(storeOptions);
  const ownOrmOptions = (['clientUrl', 'entities', 'mikroOrm'] as const).filter((key) => storeOptions[key] !== undefined);
  if (ownOrmOptions.length > 0) {
    throw new InvalidArgumentError('orm', `a joined MikroORM takes no ${ownOrmOptions.join(', ')}: those configure a MikroORM of the store's own`);
  }
  const store = new EventStore(orm, storeOptions);
  try {
    await store.start(); // migrations now, so that a bad database fails the application's start
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
