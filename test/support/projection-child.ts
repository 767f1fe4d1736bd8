/**
 * A child process for the multi-process projection tests: it runs the
 * `spec-applied-log` projection (test/projections/fixtures.ts) on an
 * existing schema and reports, one JSON line on stdout each, its state
 * changes, every event it applied (still inside the batch's transaction)
 * and its errors. With CHILD_HANG_AT=<position> it stops forever inside the
 * batch, right after applying that event (to be killed there). A line
 * "stop" on stdin makes it stop the runner and exit.
 *
 * Run: node -r reflect-metadata -r @swc/register test/support/projection-child.ts
 * with TEST_DATABASE_URL, CHILD_SCHEMA, CHILD_NAME, and optionally
 * CHILD_DELAY_MS (a pause in every handler) and CHILD_HANG_AT.
 */
import { EventStore } from '../../src';
import { AppliedLog, READ_MODEL_ENTITIES } from '../projections/fixtures';
import { report, runChild } from './reporting-child';

runChild(async () => {
  const hangAt = process.env.CHILD_HANG_AT ? Number(process.env.CHILD_HANG_AT) : undefined;
  const store = await EventStore.connect({
    clientUrl: process.env.TEST_DATABASE_URL,
    schema: process.env.CHILD_SCHEMA,
    entities: READ_MODEL_ENTITIES,
    mikroOrm: { pool: { min: 0, max: 3 } },
  });
  const projection = new AppliedLog({
    appliedBy: process.env.CHILD_NAME,
    delayMs: Number(process.env.CHILD_DELAY_MS ?? '0'),
    onApplied: async (position) => {
      report({ type: 'applied', position });
      if (position === hangAt) {
        report({ type: 'hanging', position });
        await new Promise(() => undefined);
      }
    },
  });
  const runner = store.projections([projection], { takeoverIntervalMs: 50, onError: (error) => report({ type: 'error', message: error.message }) });
  runner.on('state', (_name, state) => report({ type: 'state', state }));
  await runner.start();
  report({ type: 'ready' });

  return async () => {
    await runner.stop();
    await store.close();
  };
});
