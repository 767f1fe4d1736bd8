/**
 * `retention run [--batch-size <n>]`: one pass of the retention job: every
 * stream with limits (`store.setStreamRetention`) trimmed to them, in short
 * transactions. Safe while the store is in use and while other processes
 * run it; schedule it (cron) or run it from the application instead
 * (`store.startRetentionJob()`).
 */
import type { Command } from 'commander';
import { EventStore } from '../../store/event-store';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliNoStoreError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { readStoreState } from '../store-state';

interface RetentionFlags extends ConnectionFlags {
  batchSize?: string;
}

export function registerRetention(program: Command, io: CliIo): void {
  const retention = program.command('retention').description('per-stream limits (maxCount, maxAgeMs) kept by the retention job');
  addConnectionOptions(retention.command('run')
    .description('trim every stream with limits down to them now (one pass of the retention job)'))
    .option('--batch-size <n>', 'versions removed per transaction (default 1000)')
    .action((flags: RetentionFlags) => runRetention(resolveConnection(flags, io.env), flags, io));
}

export async function runRetention({ url, schema }: ConnectionSettings, flags: RetentionFlags, io: CliIo): Promise<void> {
  const batchSize = flags.batchSize === undefined ? undefined : Number(flags.batchSize);
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1)) {
    throw new CliConfigurationError(`--batch-size: expected an integer >= 1, got ${flags.batchSize}`);
  }
  await withDatabase(url, async (client) => {
    if (!(await readStoreState(client, schema)).hasStore) throw new CliNoStoreError(schema);
  });
  const store = await EventStore.connect({ clientUrl: url, schema, mikroOrm: { pool: { min: 0, max: 2 } } });
  try {
    const report = await store.enforceRetention({ batchSize });
    println(io, `retention: ${report.streams} stream${report.streams === 1 ? '' : 's'} with limits, `
      + `${report.trimmed} trimmed, ${report.removed} events and links removed`);
  } finally {
    await store.close();
  }
}
