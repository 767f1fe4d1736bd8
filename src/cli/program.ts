/**
 * The `mikro-orm-eventstore` command line: its commands, shared options,
 * and how every outcome becomes an exit code and at most one line on
 * standard error (no stack traces). See cli-errors.ts for the exit codes.
 */
import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io';
import { CliError, ExitCode, ExitCodeValue } from './cli-errors';
import { registerDrop } from './commands/drop';
import { registerExport } from './commands/export';
import { registerImport } from './commands/import';
import { registerInit } from './commands/init';
import { registerMigrate } from './commands/migrate';
import { registerRebuild } from './commands/rebuild';
import { registerReplayParked } from './commands/replay-parked';
import { registerReset } from './commands/reset';
import { registerRetention } from './commands/retention';
import { registerRoles } from './commands/roles';
import { registerStatus } from './commands/status';
import { registerTail } from './commands/tail';
import { registerUi } from './commands/ui';
import { packageVersion } from './package-version';

/** Each command adds itself to the program; new ones (`tail`, `rebuild`) go here. */
const COMMANDS: ReadonlyArray<(program: Command, io: CliIo) => void> = [
  registerInit,
  registerMigrate,
  registerStatus,
  registerReset,
  registerDrop,
  registerRebuild,
  registerTail,
  registerRoles,
  registerUi,
  registerReplayParked,
  registerExport,
  registerImport,
  registerRetention,
];

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    return report(error, io);
  }
}

export function buildProgram(io: CliIo): Command {
  // Settings first: subcommands copy them when created.
  const program = new Command('mikro-orm-eventstore')
    .description('Create, upgrade, inspect and reset a mikro-orm-eventstore event store in PostgreSQL')
    .version(packageVersion(), '-V, --version')
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .exitOverride()
    .allowExcessArguments(false)
    .showHelpAfterError('(add --help for usage)');
  for (const register of COMMANDS) register(program, io);
  return program;
}

function report(error: unknown, io: CliIo): ExitCodeValue {
  // Commander has printed its own message (or the help / version) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.CannotStart;
  if (error instanceof CliError) {
    io.stderr(`error: ${error.message}\n`);
    return error.exitCode;
  }
  io.stderr(`error: ${firstLine(error)}\n`);
  return ExitCode.Failed;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n')[0] || String(error);
}
