/**
 * Failures to reach PostgreSQL at all (as opposed to a statement that
 * failed): the server cannot be reached, or refuses this client (unknown
 * database, wrong password, no such role, not accepting connections). They
 * become one `ConnectionError` naming host, port and database, never the
 * password.
 */
import { ConnectionError } from '../errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** invalid_catalog_name, cannot_connect_now, too_many_connections. */
const REFUSED_CODES = new Set(['3D000', '57P03', '53300']);

/** Where the store tried to connect. */
export interface ServerAddress {
  host?: unknown;
  port?: unknown;
  database?: unknown;
}

/** `error` as a ConnectionError when it is a failure to connect; undefined otherwise. */
export function connectionFailure(error: unknown, server: ServerAddress): ConnectionError | undefined {
  if (!isConnectFailure(error)) return undefined;
  const host = typeof server.host === 'string' && server.host !== '' ? server.host : 'localhost';
  const port = Number(server.port ?? 5432) || 5432;
  const database = typeof server.database === 'string' ? server.database : '';
  return new ConnectionError(host, port, database, reasonOf(error), error);
}

function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // Class 08: connection exceptions; class 28: authorization (wrong password, unknown role).
  return NETWORK_CODES.has(code) || REFUSED_CODES.has(code) || code.startsWith('08') || code.startsWith('28');
}

/** `connect ECONNREFUSED` for system errors (the address is already named); the server's message otherwise. */
function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return `${typeof e.syscall === 'string' ? e.syscall : 'connect'} ${e.code}`;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  return message.split('\n')[0];
}
