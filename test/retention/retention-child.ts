/**
 * A child process for the multi-process retention test: it runs passes of
 * the retention job on an existing schema, one after another, and reports
 * each pass (`{ type: 'pass', streams, trimmed, removed }`) until "stop".
 *
 * Run: node -r reflect-metadata -r @swc/register test/retention/retention-child.ts
 * with TEST_DATABASE_URL and CHILD_SCHEMA.
 */
import { EventStore } from '../../src';
import { report, runChild } from '../support/reporting-child';

runChild(async () => {
  const store = await EventStore.connect({
    clientUrl: process.env.TEST_DATABASE_URL,
    schema: process.env.CHILD_SCHEMA,
    mikroOrm: { pool: { min: 0, max: 2 } },
  });
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const pass = await store.enforceRetention({ batchSize: 2, streamsPerClaim: 2 });
      report({ type: 'pass', ...pass });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  report({ type: 'ready' });
  return async () => {
    stopping = true;
    await loop;
    await store.close();
  };
});
