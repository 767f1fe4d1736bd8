/**
 * Why a command did not do its work, and the exit code that says so:
 * 1 the command ran and refused or failed (no `--force`, no store in the
 * schema, an SQL error); 2 it could not start (bad usage or configuration,
 * no database URL, the database cannot be reached).
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  CannotStart: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class CliError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCodeValue;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad options or configuration (no URL, an invalid schema name); nothing was attempted. */
export class CliConfigurationError extends CliError {
  readonly code = 'cli_configuration';
  readonly exitCode = ExitCode.CannotStart;
}

/** The database could not be reached or refused the connection. */
export class CliConnectionError extends CliError {
  readonly code = 'cli_connection';
  readonly exitCode = ExitCode.CannotStart;
}

/** The command refused to run (a destructive command without `--force`); nothing was written. */
export class CliRefusedError extends CliError {
  readonly code = 'cli_refused';
  readonly exitCode = ExitCode.Failed;
}

/** The schema holds no event store. */
export class CliNoStoreError extends CliError {
  readonly code = 'cli_no_store';
  readonly exitCode = ExitCode.Failed;

  constructor(readonly schema: string) {
    super(`no event store in schema "${schema}" (create one with: mikro-orm-eventstore init --schema ${schema})`);
  }
}
