/**
 * `export [--stream <id>] [--out <file>]`: writes `$all` (or one stream) as
 * NDJSON (truncations, then events in order with their streams' links and
 * gaps: export-events.ts), to standard output or a file; progress on
 * standard error.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { countExportEvents, exportEvents } from '../../export-import';
import { EventStore } from '../../store/event-store';
import { CliIo, println } from '../cli-io';
import { CliNoStoreError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { CountProgress } from '../export-import-progress';
import { readStoreState } from '../store-state';

interface ExportFlags extends ConnectionFlags {
  stream?: string;
  out?: string;
}

export function registerExport(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('export')
    .description('write $all (or one stream) as NDJSON: events in order, each stream\'s links and gaps in place, with progress'))
    .option('--stream <id>', 'only this stream')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((flags: ExportFlags) => runExport(resolveConnection(flags, io.env), flags, io));
}

export async function runExport({ url, schema }: ConnectionSettings, flags: ExportFlags, io: CliIo): Promise<void> {
  await withDatabase(url, async (client) => {
    if (!(await readStoreState(client, schema)).hasStore) throw new CliNoStoreError(schema);
  });
  const store = await EventStore.connect({ clientUrl: url, schema, mikroOrm: { pool: { min: 0, max: 2 } } });
  const progress = new CountProgress(io, 'export', 'events');
  const file = flags.out === undefined ? undefined : createWriteStream(flags.out);
  const write = async (text: string) => {
    if (!file) return io.stdout(text);
    if (!file.write(text)) await once(file, 'drain');
  };
  try {
    const total = await countExportEvents(store, flags.stream);
    let events = 0;
    let links = 0;
    let lines: string[] = [];
    for await (const record of exportEvents(store, { stream: flags.stream })) {
      lines.push(JSON.stringify(record));
      if (record.kind === 'event') events += 1; else links += 1;
      if (lines.length >= 1000) { await write(`${lines.join('\n')}\n`); lines = []; progress.update(events, total); }
    }
    if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    progress.update(events, total);
    progress.stop();
    if (file) {
      await closeFile(file);
      println(io, `exported ${events} events and ${links} links to ${flags.out}`);
    }
  } finally {
    progress.stop();
    file?.destroy();
    await store.close();
  }
}

async function closeFile(file: Writable): Promise<void> {
  file.end();
  await once(file, 'finish');
}
