/**
 * Argument checks for the public API, and the helpers that options
 * resolvers (store, subscription, projection, replica options) share.
 * Public methods validate once, at the edge; everything behind them trusts
 * its input. Encoding events for the database is in encoding.ts.
 */
import { validate as isUuid } from 'uuid';
import { InvalidArgumentError } from './errors';
import { ALL_STREAM } from './protocol';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Longest stream id or snapshot source id, in UTF-8 bytes. Ids are keys of
 * btree indexes, whose entries PostgreSQL caps at about 2700 bytes; the
 * margin leaves room for the other columns of composite keys.
 */
export const MAX_ID_BYTES = 1000;

export function assertStreamId(streamId: unknown, argument = 'streamId'): asserts streamId is string {
  if (typeof streamId !== 'string') throw new InvalidArgumentError(argument, `expected a string, got ${describe(streamId)}`);
  if (streamId.length === 0) throw new InvalidArgumentError(argument, 'must not be empty');
  if (streamId.startsWith('$')) throw new InvalidArgumentError(argument, `${JSON.stringify(streamId)}: ids starting with "$" are reserved`);
  assertStorableText(streamId, argument);
  assertIdLength(streamId, argument);
}

/** A stream id, or `$all` where the operation accepts it. */
export function assertStreamIdOrAll(streamId: unknown, argument = 'streamId'): asserts streamId is string {
  if (streamId === ALL_STREAM) return;
  assertStreamId(streamId, argument);
}

export function assertNonNegativeInteger(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SAFE) {
    throw new InvalidArgumentError(argument, `expected an integer >= 0, got ${describe(value)}`);
  }
}

export function assertPositiveInteger(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SAFE) {
    throw new InvalidArgumentError(argument, `expected an integer >= 1, got ${describe(value)}`);
  }
}

/** A backward read's start: -1 (the end) or a version/position >= 0. */
export function assertBackwardStart(value: unknown, argument: string): asserts value is number {
  if (value === -1) return;
  assertNonNegativeInteger(value, argument);
}

export function assertUuid(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || !isUuid(value)) throw new InvalidArgumentError(argument, `expected a UUID, got ${describe(value)}`);
}

/** The options of a writing call: `{ em? }`, `em` being a MikroORM EntityManager. */
export function assertWriteOptions(options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError('options', `expected an object, got ${describe(options)}`);
  }
  const em = (options as { em?: unknown }).em;
  if (em !== undefined && typeof (em as { getTransactionContext?: unknown } | null)?.getTransactionContext !== 'function') {
    throw new InvalidArgumentError('options.em', `expected a MikroORM EntityManager, got ${describe(em)}`);
  }
}

/** A non-empty string PostgreSQL can store (see assertStorableText). */
export function assertNonEmptyText(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(argument, `expected a non-empty string, got ${describe(value)}`);
  assertStorableText(value, argument);
}

/** An id used as a key: a non-empty string without NUL, at most `MAX_ID_BYTES` long. */
export function assertIdText(value: unknown, argument: string): asserts value is string {
  assertNonEmptyText(value, argument);
  assertIdLength(value, argument);
}

function assertIdLength(value: string, argument: string): void {
  // Cheap test first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (value.length * 3 > MAX_ID_BYTES && Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES) {
    throw new InvalidArgumentError(argument, `longer than ${MAX_ID_BYTES} bytes (UTF-8)`);
  }
}

/** A lone UTF-16 surrogate: in `u` mode a well-formed pair is one code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** What PostgreSQL cannot store in text or jsonb, as a message; undefined when the string is storable. */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain the NUL character (PostgreSQL cannot store it)';
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone UTF-16 surrogate (not valid Unicode; PostgreSQL cannot store it)';
  return undefined;
}

/** A string PostgreSQL can store: no NUL character, no lone UTF-16 surrogate. */
export function assertStorableText(value: string, argument: string): void {
  const problem = unstorableText(value);
  if (problem !== undefined) throw new InvalidArgumentError(argument, problem);
}

/**
 * The error for a value that is not what `argument` takes: "Invalid
 * <argument>: expected <expected>, got <the value>". Thrown by the caller
 * (`throw invalidValue(...)`), so that the control flow stays visible.
 */
export function invalidValue(argument: string, expected: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(argument, `expected ${expected}, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

/** An object (arrays included); `argument` names it in the error. */
export function assertObject(value: unknown, argument: string): asserts value is object {
  if (value === null || typeof value !== 'object') throw new InvalidArgumentError(argument, `expected an object, got ${describe(value)}`);
}

/** A boolean. */
export function assertBoolean(value: unknown, argument: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, `expected a boolean, got ${describe(value)}`);
}

/** The method a decorator marks is an instance method; `kind` names such methods (`handlers`). */
export function assertInstanceMethod(decorator: string, target: object, method: string | symbol, descriptor: PropertyDescriptor, kind: string): void {
  if (typeof target === 'function') {
    throw new InvalidArgumentError(decorator, `${String(method)} of ${target.name} is static; ${kind} are instance methods`);
  }
  if (typeof descriptor.value !== 'function') {
    throw new InvalidArgumentError(decorator, `${String(method)} of ${target.constructor.name} is not a method`);
  }
}

// ---- options objects: `undefined` takes the default, anything else must be right.

/** An options argument: an object, or `{}` when omitted. */
export function optionsObject(value: unknown, argument: string): object {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `expected an object, got ${describe(value)}`);
  }
  return value;
}

/** An integer option from `min` (to `max`), or `fallback` when omitted. */
export function optionalInteger(value: unknown, fallback: number, min: number, argument: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(argument, `expected an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

/**
 * The retry delays of a subscription or a projection: `retryDelayMs` from 1,
 * and `maxRetryDelayMs`, which defaults to the larger of its default and
 * `retryDelayMs` and must not be below `retryDelayMs`.
 */
export function optionalRetryDelays(
  options: { retryDelayMs?: unknown; maxRetryDelayMs?: unknown },
  defaults: { retryDelayMs: number; maxRetryDelayMs: number },
): { retryDelayMs: number; maxRetryDelayMs: number } {
  const retryDelayMs = optionalInteger(options.retryDelayMs, defaults.retryDelayMs, 1, 'options.retryDelayMs');
  const maxRetryDelayMs = optionalInteger(options.maxRetryDelayMs, Math.max(defaults.maxRetryDelayMs, retryDelayMs), 1, 'options.maxRetryDelayMs');
  if (maxRetryDelayMs < retryDelayMs) {
    throw new InvalidArgumentError('options.maxRetryDelayMs', `must not be below options.retryDelayMs (${retryDelayMs}), got ${maxRetryDelayMs}`);
  }
  return { retryDelayMs, maxRetryDelayMs };
}

/** A read filter is given only with `$all`. */
export function assertFilterTarget(filter: unknown, streamIdOrAll: string): void {
  if (filter && streamIdOrAll !== ALL_STREAM) throw new InvalidArgumentError('options.filter', 'filters apply to $all only');
}

/** A boolean option, false when omitted. */
export function optionalBoolean(value: unknown, argument: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** A function option, or undefined when omitted. */
export function optionalFunction<F>(value: F | undefined, argument: string): F | undefined {
  if (value === undefined) return undefined;
  assertFunction(value, argument);
  return value;
}

export function assertFunction(value: unknown, argument: string): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, `expected a function, got ${describe(value)}`);
}
