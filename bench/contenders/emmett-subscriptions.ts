/**
 * Emmett's subscriptions: one consumer of the event store
 * (`store.consumer()`, a puller of `$all` batches) with one reactor
 * (`consumer.reactor`, a processor with its own checkpoint) per
 * subscription. Every processor handles each batch in a transaction of its
 * own and stores its checkpoint after every message; Emmett has no setting
 * for fewer checkpoint writes, so `checkpointEvery` does not apply.
 *
 * In 0.42.0 a consumer delivers some events twice while several writers
 * commit at once (see the `skip` of workloads/subscription-fan-out.ts).
 *
 * Start position: the processors start after the current last global
 * position, read here with `max(global_position)`. Emmett's own
 * `readLastMessageGlobalPosition` (and so `startFrom: 'END'`) returns the
 * position of the *first* message in 0.42.0 (`order by … limit 1`
 * ascending), which would replay the whole log.
 */
import type { PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { messagesTable } from '@event-driven-io/emmett-postgresql';
import type { Pool } from 'pg';
import type { BenchSubscription, SubscriptionSpec } from './contender';

export interface EmmettPulling {
  batchSize: number;
}

export async function emmettSubscriptions(store: PostgresEventStore, pool: Pool, specs: SubscriptionSpec[], pulling: EmmettPulling): Promise<BenchSubscription> {
  const { rows } = await pool.query(`select coalesce(max(global_position), 0)::text as last from ${messagesTable.name}`);
  const lastCheckpoint = BigInt(rows[0].last as string);
  const consumer = store.consumer({ pulling });
  const started: Promise<void>[] = [];
  for (const spec of specs) {
    let onStart!: () => void;
    started.push(new Promise<void>((resolve) => (onStart = resolve)));
    consumer.reactor({
      processorId: `bench-${spec.name}`,
      startFrom: { lastCheckpoint },
      // Runs once the processor holds its lock; the consumer starts pulling right after the last one.
      hooks: { onStart: async () => onStart() },
      eachMessage: async (message) => {
        spec.onEvents([message]);
      },
    });
  }
  const running = consumer.start();
  running.catch((error: Error) => {
    for (const spec of specs) spec.onError(error);
  });
  await Promise.race([Promise.all(started), running]);
  await new Promise((resolve) => setImmediate(resolve));
  return {
    async stop() {
      await consumer.stop();
      await running.catch(() => undefined);
    },
  };
}
