/**
 * `rebuild <projection> --module <path>`: clears a projection's read model
 * and replays `$all` into it (runner.rebuild), holding the projection's
 * ownership; a progress bar on standard error (plain lines when it is not a
 * terminal), a summary line on standard output.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { EventStoreError } from '../../errors';
import { ProjectionNotRegisteredError } from '../../projections/errors';
import type { RebuildProgress } from '../../projections/projection-options';
import { EventStore } from '../../store/event-store';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliNoStoreError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { loadProjectionModule } from '../projection-module';
import { readStoreState } from '../store-state';

interface RebuildFlags extends ConnectionFlags {
  module?: string;
  wait: string;
}

export interface RebuildCommandOptions {
  modulePath: string;
  /** How long to wait for the projection's ownership. */
  waitMs: number;
}

const DEFAULT_WAIT_MS = 10_000;

export function registerRebuild(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('rebuild')
    .description("clear a projection's read model and replay $all into it, with progress")
    .argument('<projection>', 'the name given to @Projection'))
    // Checked in the action, not by commander: without arguments the missing projection is named first.
    .option('--module <path>', 'required: module exporting `projections` (classes or instances) and optionally `entities` (read-model entity classes)')
    .option('--wait <ms>', 'how long to wait for the projection when another process runs it', String(DEFAULT_WAIT_MS))
    .action((projection: string, flags: RebuildFlags) =>
      runRebuild(resolveConnection(flags, io.env), projection, resolveRebuildFlags(flags), io));
}

function resolveRebuildFlags(flags: RebuildFlags): RebuildCommandOptions {
  if (flags.module === undefined) throw new CliConfigurationError("required option '--module <path>' not specified");
  const waitMs = Number(flags.wait);
  if (!/^\d+$/.test(flags.wait) || !Number.isSafeInteger(waitMs)) {
    throw new CliConfigurationError(`invalid --wait: expected milliseconds (an integer >= 0), got ${JSON.stringify(flags.wait)}`);
  }
  return { modulePath: flags.module, waitMs };
}

export async function runRebuild({ url, schema }: ConnectionSettings, projection: string, options: RebuildCommandOptions, io: CliIo): Promise<void> {
  const loaded = loadProjectionModule(options.modulePath);
  // A rebuild needs a store: an empty schema is refused, not given one.
  await withDatabase(url, async (client) => {
    if (!(await readStoreState(client, schema)).hasStore) throw new CliNoStoreError(schema);
  });
  const store = await EventStore.connect({ clientUrl: url, schema, entities: loaded.entities as never, mikroOrm: { pool: { min: 0, max: 4 } } });
  const progress = new ProgressDisplay(io, projection);
  try {
    const runner = projectionRunner(store, loaded.projections, options.modulePath, io);
    if (!runner.names.includes(projection)) {
      throw new CliConfigurationError(`no projection ${JSON.stringify(projection)} in ${options.modulePath} (it has: ${runner.names.map((name) => JSON.stringify(name)).join(', ')})`);
    }
    const result = await runner.rebuild(projection, { ownershipTimeoutMs: options.waitMs, onProgress: (p) => progress.update(p) });
    progress.stop();
    const seconds = result.elapsedMs / 1000;
    const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
    println(io, `rebuilt ${projection}: ${result.events} events up to position ${result.position} in ${seconds.toFixed(1)} s (${rate} events/s)`);
  } finally {
    progress.stop();
    await store.close();
  }
}

function projectionRunner(store: EventStore, projections: unknown[], modulePath: string, io: CliIo) {
  try {
    // A failed batch is retried: each failure is one warning line; the last one ends the command.
    return store.projections(projections as object[], { onError: (error) => io.stderr(`warning: ${firstLine(error.message)}\n`) });
  } catch (error) {
    // Decorators register in the package copy the module imports: another copy than this command's does not see them.
    const hint = error instanceof ProjectionNotRegisteredError ? ' (does the module import the same mikro-orm-eventstore as this command? run the project\'s own npx mikro-orm-eventstore)' : '';
    if (error instanceof EventStoreError) throw new CliConfigurationError(`--module ${modulePath}: ${error.message}${hint}`);
    throw error;
  }
}

/** cli-progress on a terminal; without one, the same line every few seconds and at the end. */
class ProgressDisplay {
  private bar?: SingleBar;
  private stopped = false;

  constructor(private readonly io: CliIo, private readonly projection: string) {}

  update(progress: RebuildProgress): void {
    if (this.stopped) return;
    const payload = { projection: this.projection, rate: progress.ratePerSecond, position: progress.position };
    if (!this.bar) {
      const terminal = this.io.progressTerminal;
      this.bar = new SingleBar({
        stream: terminal ?? { isTTY: false, write: (text: string) => this.io.stderr(text) } as unknown as NodeJS.WriteStream,
        // Lines (not a terminal) end with their own newline: no blank line at the end.
        clearOnComplete: !terminal,
        format: '{projection} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | position {position}',
        noTTYOutput: true,
        notTTYSchedule: 2000,
        hideCursor: true,
        gracefulExit: true,
      }, Presets.shades_classic);
      this.bar.start(progress.total, progress.done, payload);
      return;
    }
    this.bar.setTotal(progress.total);
    this.bar.update(progress.done, payload);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar?.stop();
  }
}

function firstLine(message: string): string {
  return message.trim().split('\n')[0];
}
