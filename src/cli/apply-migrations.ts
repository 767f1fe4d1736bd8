/**
 * Creates or upgrades a store by connecting to it: `EventStore.connect`
 * runs the store's migrations in its schema (under the store's migration
 * lock, so two processes never migrate one schema at once).
 */

/** Returns the migrations applied now (empty when the schema was up to date). */
export async function applyMigrations(url: string, schema: string): Promise<readonly string[]> {
  // Loaded on demand: MikroORM's PostgreSQL driver takes about half a second
  // to load, and only `init` and `migrate` need it.
  const { EventStore } = require('../store/event-store') as typeof import('../store/event-store');
  const store = await EventStore.connect({ clientUrl: url, schema, sequencerIntervalMs: 0 });
  try {
    return store.appliedMigrations;
  } finally {
    await store.close();
  }
}
