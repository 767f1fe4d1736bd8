/**
 * `tail`: prints the events of `$all` (or of one stream) as they are
 * committed, one line each, until Ctrl-C (SIGINT / SIGTERM) or `--limit`.
 * With `--from` it first prints what is stored from there, then goes live
 * without a gap or a repeat (see event-follower.ts). Standard output holds
 * only events; the "following …" note goes to standard error.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors';
import type { RecordedEvent } from '../../types';
import { ALL_STREAM } from '../../protocol';
import { assertStreamIdOrAll } from '../../validation';
import { CliIo, println } from '../cli-io';
import { CliConfigurationError, CliNoStoreError, CliRefusedError } from '../cli-errors';
import { addConnectionOptions, ConnectionFlags, ConnectionSettings, resolveConnection } from '../connection-options';
import { withDatabase } from '../database';
import { followEvents } from '../../subscriptions/event-follower';
import { readStoreState } from '../store-state';
import { formatEvent } from '../tail-format';

/** What commander hands over (strings, as typed). */
interface TailFlags extends ConnectionFlags {
  from?: string;
  stream?: string;
  type?: string[];
  json?: boolean;
  full?: boolean;
  limit?: string;
}

export interface TailOptions {
  /** `$all` or a stream id. */
  streamId: string;
  /** First position (a version with a stream) to print; undefined: only new events. */
  from?: number;
  /** Event types to print; empty: every type. */
  types: string[];
  json: boolean;
  full: boolean;
  /** Exit after printing this many events. */
  limit?: number;
}

export function registerTail(program: Command, io: CliIo): void {
  addConnectionOptions(program.command('tail').description('print the events of $all (or of one stream) as they are committed, until Ctrl-C'))
    .option('--from <position>', 'print the stored events from this position first (a version with --stream; 0: from the beginning); default: only new events')
    .option('--stream <id>', 'follow one stream instead of $all')
    .option('--type <eventType>', 'print only events of this type (repeatable, or comma-separated)', collectTypes)
    .option('--json', 'print each event as one JSON object per line, with every field')
    .option('--full', 'print the whole data instead of shortening it')
    .option('--limit <n>', 'exit after printing n events')
    .action(async (flags: TailFlags) => {
      const settings = resolveConnection(flags, io.env);
      const options = resolveTailOptions(flags);
      const interruption = interruptOnSignals();
      try {
        await runTail(settings, options, io, interruption.signal);
      } finally {
        interruption.dispose();
      }
    });
}

export function resolveTailOptions(flags: TailFlags): TailOptions {
  const streamId = flags.stream ?? ALL_STREAM;
  try {
    assertStreamIdOrAll(streamId, '--stream');
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new CliConfigurationError(error.message.replace(/^Invalid /, 'invalid '));
    throw error;
  }
  const types = (flags.type ?? []).map((type) => type.trim());
  if (types.some((type) => type === '')) {
    throw new CliConfigurationError(`invalid --type: expected event type names, got ${JSON.stringify((flags.type ?? []).join(','))}`);
  }
  return {
    streamId,
    from: flags.from === undefined ? undefined : integerFlag('--from', flags.from, 0),
    types,
    json: flags.json === true,
    full: flags.full === true,
    limit: flags.limit === undefined ? undefined : integerFlag('--limit', flags.limit, 1),
  };
}

/**
 * Prints events until `signal` aborts or the limit is reached. The store
 * is opened only once the schema is known to hold an up-to-date store:
 * opening it would otherwise create or upgrade the schema.
 */
export async function runTail({ url, schema }: ConnectionSettings, options: TailOptions, io: CliIo, signal: AbortSignal): Promise<void> {
  const state = await withDatabase(url, (client) => readStoreState(client, schema));
  if (!state.hasStore) throw new CliNoStoreError(schema);
  if (state.pending.length > 0) {
    throw new CliRefusedError(
      `the event store in schema "${schema}" has ${state.pending.length} pending migration${state.pending.length === 1 ? '' : 's'}: apply them first with: mikro-orm-eventstore migrate --schema ${schema}`,
    );
  }
  if (signal.aborted) return;
  // Loaded on demand, as in apply-migrations.ts: MikroORM takes a while to load.
  const { EventStore } = require('../../store/event-store') as typeof import('../../store/event-store');
  // No sequencer sweep of its own: following reads, and the writers' stores number their events.
  const store = await EventStore.connect({ clientUrl: url, schema, sequencerIntervalMs: 0 });
  // The store's timers do not keep a process alive, and its LISTEN
  // connection may be down for a while: this does, until the end.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const wanted = new Set(options.types);
    await followEvents(store, {
      streamId: options.streamId,
      from: options.from,
      // On $all the database picks the types (an index); a stream is read whole and picked here.
      filter: wanted.size > 0 && options.streamId === ALL_STREAM ? { eventTypes: [...wanted] } : undefined,
      selector: wanted.size > 0 ? (event: RecordedEvent) => wanted.has(event.eventType) : undefined,
      limit: options.limit,
      signal,
      onLive: (last) => io.stderr(`following ${describeFollowed(options.streamId, last)} (Ctrl-C to stop)\n`),
      onWarning: (error) => io.stderr(`warning: ${error.message.split('\n')[0]} (retrying)\n`),
    }, (event) => println(io, formatEvent(event, options)));
  } finally {
    clearInterval(keepAlive);
    await store.close();
  }
}

function describeFollowed(streamId: string, last: number): string {
  return streamId === ALL_STREAM ? `$all after position ${last}` : `stream ${JSON.stringify(streamId)} after version ${last}`;
}

/** `--type A,B --type C` gives [A, B, C]. */
function collectTypes(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',')];
}

function integerFlag(name: string, text: string, min: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new CliConfigurationError(`invalid ${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Ctrl-C (SIGINT), SIGTERM, or a closed pipe on standard output (`| head`)
 * stop the command cleanly. After the first signal the default handling
 * is back, so a second Ctrl-C ends the process at once.
 */
function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const removeSignals = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  function stop(): void {
    removeSignals();
    controller.abort();
  }
  // The reader went away (EPIPE): nothing more can be printed.
  const onOutputError = () => stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.on('error', onOutputError);
  return {
    signal: controller.signal,
    dispose: () => {
      removeSignals();
      process.stdout.off('error', onOutputError);
    },
  };
}
