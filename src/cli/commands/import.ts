/**
 * `import [file]`: loads NDJSON written by `export` (a file, or standard
 * input) into a store, one transaction per chunk; re-running after a crash
 * skips what is already there. Progress on standard error.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ImportError, importEvents, parseNdjson } from '../../export-import';
import { EventStore } from '../../store/event-store';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliError, CliNoStoreError, ExitCode } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { CountProgress } from '../export-import-progress';
import { readStoreState } from '../store-state';

interface ImportFlags extends ConnectionFlags {
  chunk: string;
}

export function registerImport(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('import')
    .description('load NDJSON written by export (a file, or standard input) into the store; re-run to resume')
    .argument('[file]', 'the export file; standard input when left out or -'))
    .option('--chunk <records>', 'records per transaction', '10000')
    .action((file: string | undefined, flags: ImportFlags) => runImport(resolveConnection(flags, io.env), file, flags, io));
}

export async function runImport({ url, schema }: ConnectionSettings, file: string | undefined, flags: ImportFlags, io: CliIo): Promise<void> {
  const chunkSize = Number(flags.chunk);
  if (!/^\d+$/.test(flags.chunk) || chunkSize < 1) {
    throw new CliConfigurationError(`invalid --chunk: expected a number of records >= 1, got ${JSON.stringify(flags.chunk)}`);
  }
  const fromFile = file !== undefined && file !== '-';
  let size = 0;
  if (fromFile) {
    try { size = statSync(file).size; } catch (error) { throw new CliConfigurationError(`cannot read ${file}: ${(error as Error).message}`); }
  }
  await withDatabase(url, async (client) => {
    if (!(await readStoreState(client, schema)).hasStore) throw new CliNoStoreError(schema);
  });
  const store = await EventStore.connect({ clientUrl: url, schema, mikroOrm: { pool: { min: 0, max: 2 } } });
  const input = fromFile ? createReadStream(file) : process.stdin;
  const progress = new CountProgress(io, 'import', fromFile ? 'bytes' : 'records');
  try {
    const result = await importEvents(store, parseNdjson(input), {
      chunkSize,
      onProgress: (p) => (fromFile ? progress.update(input.bytesRead ?? 0, size) : progress.update(p.records, p.records)),
    });
    progress.stop();
    println(io, `imported ${result.written} records, skipped ${result.skipped} already present (${result.records} read)`);
  } catch (error) {
    if (error instanceof ImportError) throw new CliImportError(`${fromFile ? file : 'standard input'}: ${error.message}`);
    throw error;
  } finally {
    progress.stop();
    if (fromFile) input.destroy();
    await store.close();
  }
}

/** Bad input stopped the import; the chunks before the bad line are written, nothing of its chunk. */
export class CliImportError extends CliError {
  readonly code = 'cli_import';
  readonly exitCode = ExitCode.Failed;
}
