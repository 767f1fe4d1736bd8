/**
 * `replay-parked <projection> --module <path>`: applies a projection's
 * parked events again, in `$all` order (runner.replayParked). A summary on
 * standard output; each event that fails again is a warning line and stays
 * parked, and the command then ends with exit code 1.
 */
import type { Command } from 'commander';
import { EventStoreError } from '../../errors';
import { ProjectionNotRegisteredError } from '../../projections/errors';
import { EventStore } from '../../store/event-store';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliError, CliNoStoreError, ExitCode } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { loadProjectionModule } from '../projection-module';
import { readStoreState } from '../store-state';

interface ReplayParkedFlags extends ConnectionFlags {
  module?: string;
}

/** Some parked events failed again: they are still parked. */
export class CliReplayIncompleteError extends CliError {
  readonly code = 'cli_replay_incomplete';
  readonly exitCode = ExitCode.Failed;
}

export function registerReplayParked(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('replay-parked')
    .description("apply a projection's parked events again, in $all order; those that fail stay parked")
    .argument('<projection>', 'the name given to @Projection'))
    // Checked in the action, not by commander: without arguments the missing projection is named first.
    .option('--module <path>', 'required: module exporting `projections` (classes or instances) and optionally `entities` (read-model entity classes)')
    .action((projection: string, flags: ReplayParkedFlags) => {
      if (flags.module === undefined) throw new CliConfigurationError("required option '--module <path>' not specified");
      return runReplayParked(resolveConnection(flags, io.env), projection, flags.module, io);
    });
}

export async function runReplayParked({ url, schema }: ConnectionSettings, projection: string, modulePath: string, io: CliIo): Promise<void> {
  const loaded = loadProjectionModule(modulePath);
  await withDatabase(url, async (client) => {
    if (!(await readStoreState(client, schema)).hasStore) throw new CliNoStoreError(schema);
  });
  const store = await EventStore.connect({ clientUrl: url, schema, entities: loaded.entities as never, mikroOrm: { pool: { min: 0, max: 4 } } });
  try {
    const runner = projectionRunner(store, loaded.projections, modulePath);
    if (!runner.names.includes(projection)) {
      throw new CliConfigurationError(`no projection ${JSON.stringify(projection)} in ${modulePath} (it has: ${runner.names.map((name) => JSON.stringify(name)).join(', ')})`);
    }
    const result = await runner.replayParked(projection);
    for (const parked of result.stillParked) {
      io.stderr(`warning: position ${parked.position} (${parked.eventType}, ${parked.streamId}@${parked.streamVersion}) failed again, attempt ${parked.attempts}: ${firstLine(parked.error.message)}\n`);
    }
    println(io, `replayed ${result.replayed} parked event${result.replayed === 1 ? '' : 's'} of ${projection}; ${result.failed} still parked`);
    if (result.failed > 0) throw new CliReplayIncompleteError(`${result.failed} parked event${result.failed === 1 ? '' : 's'} of ${projection} failed again and stay${result.failed === 1 ? 's' : ''} parked`);
  } finally {
    await store.close();
  }
}

function projectionRunner(store: EventStore, projections: unknown[], modulePath: string) {
  try {
    return store.projections(projections as object[]);
  } catch (error) {
    // Decorators register in the package copy the module imports: another copy than this command's does not see them.
    const hint = error instanceof ProjectionNotRegisteredError ? ' (does the module import the same mikro-orm-eventstore as this command? run the project\'s own npx mikro-orm-eventstore)' : '';
    if (error instanceof EventStoreError) throw new CliConfigurationError(`--module ${modulePath}: ${error.message}${hint}`);
    throw error;
  }
}

function firstLine(message: string): string {
  return message.trim().split('\n')[0];
}
