/**
 * Where the command line tool reads its configuration and writes its output.
 * Injected, so that tests run commands in-process and capture what they print.
 */
export interface CliIo {
  /** Standard output: the answer of a command (text or JSON). */
  stdout(text: string): void;
  /** Standard error: refusals and errors, one line each. */
  stderr(text: string): void;
  /** The environment configuration is read from (`DATABASE_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The terminal progress bars draw on, when standard error is one; without it, progress is plain lines on stderr. */
  readonly progressTerminal?: NodeJS.WriteStream;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    progressTerminal: process.stderr.isTTY ? process.stderr : undefined,
  };
}

/** Writes one line to standard output. */
export function println(io: CliIo, line = ''): void {
  io.stdout(`${line}\n`);
}
