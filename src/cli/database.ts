/**
 * The tool's own PostgreSQL connection (a plain `pg` client), for reading
 * the store's state and for maintenance SQL. Failing to connect becomes a
 * one-line `CliConnectionError` naming the server, never the password.
 */
import { Client } from 'pg';
import { CliConnectionError } from './cli-errors';

/** How long to wait for the server before giving up (an unroutable host would otherwise hang). */
const CONNECT_TIMEOUT_MS = 10_000;

export async function withDatabase<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function connectClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'mikro-orm-eventstore' });
  // A connection lost while idle surfaces on the next query instead of
  // crashing the process with a stack trace.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new CliConnectionError(`cannot connect to PostgreSQL at ${serverOf(client)}: ${reasonOf(error)}`);
  }
  return client;
}

/** Runs `fn` in one transaction on the client: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await fn();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

function serverOf(client: Client): string {
  return `${client.host ?? 'localhost'}:${client.port ?? 5432}`;
}

/** `connect ECONNREFUSED` for system errors (the address is already named); the server's message otherwise. */
function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return `${typeof e.syscall === 'string' ? e.syscall : 'connect'} ${e.code}`;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  return message.split('\n')[0];
}
