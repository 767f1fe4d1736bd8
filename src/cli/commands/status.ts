/** `status`: migrations, stream and event counts, the last `$all` position, subscriptions and their lag. */
import type { Command } from 'commander';
import { CliIo, println } from '../cli-io';
import { CliNoStoreError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { formatStatus } from '../status-format';
import { collectStatus } from '../status-report';
import { readStoreState } from '../store-state';

interface StatusFlags extends ConnectionFlags {
  json?: boolean;
}

export function registerStatus(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('status').description('show migrations, streams, events and subscriptions with their lag'))
    .option('--json', 'print the status as JSON')
    .action((flags: StatusFlags) => runStatus(resolveConnection(flags, io.env), { json: flags.json === true }, io));
}

export async function runStatus({ url, schema }: ConnectionSettings, options: { json: boolean }, io: CliIo): Promise<void> {
  const report = await withDatabase(url, async (client) => {
    const state = await readStoreState(client, schema);
    if (!state.hasStore) throw new CliNoStoreError(schema);
    return collectStatus(client, state);
  });
  if (options.json) {
    println(io, JSON.stringify(report, null, 2));
    return;
  }
  for (const line of formatStatus(report)) println(io, line);
}
