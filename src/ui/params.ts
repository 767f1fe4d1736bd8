/**
 * Validation of the JSON API's query parameters, at the edge: each reader
 * returns a typed value or throws UiBadRequestError naming the parameter and
 * what was wrong, so handlers can trust what they get.
 */
import { UiBadRequestError } from './errors';

export type Query = Readonly<Record<string, string | undefined>>;

/** An integer in [min, max]; `fallback` when absent. */
export function intParam(query: Query, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = query[name];
  if (text === undefined || text === '') return fallback;
  const value = /^-?\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UiBadRequestError(`invalid ${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** One of `allowed`; `fallback` when absent. */
export function choiceParam<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const text = query[name];
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UiBadRequestError(`invalid ${name}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** Free text up to `maxLength` characters, without control characters; '' when absent. */
export function textParam(query: Query, name: string, maxLength = 200): string {
  const text = query[name] ?? '';
  if (text.length > maxLength) throw new UiBadRequestError(`invalid ${name}: at most ${maxLength} characters, got ${text.length}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(text)) throw new UiBadRequestError(`invalid ${name}: must not contain control characters`);
  return text;
}

/** A comma-separated list of event type names (`type=A,B`), trimmed; [] when absent. */
export function typesParam(query: Query, name: string): string[] {
  const text = textParam(query, name, 1000);
  if (text.trim() === '') return [];
  const types = text.split(',').map((type) => type.trim());
  if (types.some((type) => type === '')) throw new UiBadRequestError(`invalid ${name}: expected comma-separated event type names, got ${JSON.stringify(text)}`);
  return types;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid path segment (event, causation, correlation ids). */
export function uuidParam(text: string, name: string): string {
  if (!UUID.test(text)) throw new UiBadRequestError(`invalid ${name}: expected a uuid, got ${JSON.stringify(text.slice(0, 60))}`);
  return text.toLowerCase();
}

/** A stream id path segment: what the store accepts (non-empty, not `$`-prefixed). */
export function streamIdParam(text: string): string {
  if (text === '' || text.length > 1000) throw new UiBadRequestError('invalid stream id: expected 1 to 1000 characters');
  if (text.startsWith('$')) throw new UiBadRequestError(`invalid stream id: ${JSON.stringify(text.slice(0, 60))} is reserved (starts with "$")`);
  return text;
}
