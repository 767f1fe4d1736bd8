/**
 * Which failures are the database's rather than the projection's: a lost or
 * refused connection, a server shutting down. Those are retried without
 * counting towards `maxAttempts`, so that an outage never leaves
 * projections failed for good.
 */
import { ConnectionException } from '@mikro-orm/core';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** admin_shutdown, crash_shutdown, cannot_connect_now. */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = [/connection terminated/i, /connection error/i, /timeout acquiring a connection/i, /not queryable/i];

export function isConnectionError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 3) return false;
  if (error instanceof ConnectionException) return true;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || SERVER_GOING_AWAY.has(code))) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isConnectionError(cause, depth + 1);
}
