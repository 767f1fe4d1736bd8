/**
 * The options every command shares (`--url`, `--schema`), validated once,
 * before anything connects.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors';
import { assertSchemaName } from '../repositories/schema-name';
import { CliConfigurationError } from './cli-errors';

export const DEFAULT_SCHEMA = 'public';

/** What commander hands over for the shared options. */
export interface ConnectionFlags {
  url?: string;
  schema?: string;
}

export interface ConnectionSettings {
  url: string;
  schema: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'PostgreSQL URL (default: $DATABASE_URL)')
    .option('--schema <name>', `the store's PostgreSQL schema (default: ${DEFAULT_SCHEMA})`);
}

export function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): ConnectionSettings {
  const schema = flags.schema ?? DEFAULT_SCHEMA;
  try {
    assertSchemaName(schema);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new CliConfigurationError(`invalid --schema: ${JSON.stringify(schema)} is not a valid schema name (lower-case letters, digits and "_", starting with a letter or "_", at most 63 characters)`);
    throw error;
  }
  const url = flags.url ?? env.DATABASE_URL;
  if (url === undefined || url.trim() === '') {
    throw new CliConfigurationError('no database URL: pass --url or set DATABASE_URL');
  }
  assertPostgresUrl(url, flags.url !== undefined ? '--url' : 'DATABASE_URL');
  return { url, schema };
}

/** The URL is never echoed: it may carry a password. */
function assertPostgresUrl(url: string, source: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new CliConfigurationError(`invalid ${source}: not a URL (expected postgres://user:password@host:port/database)`);
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new CliConfigurationError(`invalid ${source}: expected a postgres:// or postgresql:// URL, got ${protocol}//…`);
  }
}
