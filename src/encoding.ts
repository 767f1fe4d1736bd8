/**
 * Events and values as the store writes them: the column arrays of an
 * append, JSON text for jsonb, expected versions as the SQL functions take
 * them. Bad input is refused here, with the argument it came from.
 */
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { DuplicateEventError, InvalidArgumentError } from './errors';
import { ExpectedVersionCode } from './protocol';
import { EventData, ExpectedVersion } from './types';
import { assertStorableText, assertUuid, describe, invalidValue, unstorableText } from './validation';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export function encodeExpectedVersion(expected: unknown): number {
  switch (expected) {
    case ExpectedVersion.Any:
      return ExpectedVersionCode.Any;
    case ExpectedVersion.NoStream:
      return ExpectedVersionCode.NoStream;
    case ExpectedVersion.StreamExists:
      return ExpectedVersionCode.StreamExists;
  }
  if (typeof expected === 'number' && Number.isInteger(expected) && expected >= 0 && expected <= MAX_SAFE) return expected;
  throw new InvalidArgumentError(
    'expectedVersion',
    `expected ExpectedVersion.Any, .NoStream, .StreamExists or a version >= 0, got ${describe(expected)}`,
  );
}

/** Column arrays for `es_append`, one entry per event. */
export interface EncodedEvents {
  ids: string[];
  types: string[];
  data: string[];
  metadata: Array<string | null>;
  causation: Array<string | null>;
  correlation: Array<string | null>;
}

/** Validates a batch of events and encodes it for the database. */
export function encodeEvents(events: unknown): EncodedEvents {
  if (!Array.isArray(events)) throw invalidValue('events', 'an array of events', events);
  const count = events.length;
  const encoded: EncodedEvents = {
    ids: new Array(count), types: new Array(count), data: new Array(count),
    metadata: new Array(count), causation: new Array(count), correlation: new Array(count),
  };
  const seen = new Set<string>();
  for (let index = 0; index < count; index++) {
    // Argument names are built only for an error message (this loop is on the append path).
    const at = (field = '') => `events[${index}]${field}`;
    const event: unknown = events[index];
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw invalidValue(at(), 'an event object', event);
    }
    const e = event as EventData;
    if (typeof e.eventType !== 'string' || e.eventType.length === 0) {
      throw invalidValue(at('.eventType'), 'a non-empty string', e.eventType);
    }
    if (unstorableText(e.eventType) !== undefined) assertStorableText(e.eventType, at('.eventType'));
    let eventId: string;
    if (e.eventId === undefined) eventId = uuidv7();
    else {
      if (typeof e.eventId !== 'string' || !isUuid(e.eventId)) assertUuid(e.eventId, at('.eventId'));
      eventId = e.eventId.toLowerCase();
    }
    if (seen.has(eventId)) throw new DuplicateEventError([eventId], `event id ${eventId} appears twice in one append`);
    seen.add(eventId);
    encoded.ids[index] = eventId;
    encoded.types[index] = e.eventType;
    encoded.data[index] = toJson(e.data, at, '.data');
    if (e.metadata === undefined || e.metadata === null) encoded.metadata[index] = null;
    else if (typeof e.metadata !== 'object' || Array.isArray(e.metadata)) {
      throw invalidValue(at('.metadata'), 'an object', e.metadata);
    } else encoded.metadata[index] = toJson(e.metadata, at, '.metadata');
    encoded.causation[index] = e.causationId === undefined || e.causationId === null ? null : optionalUuid(e.causationId, at('.causationId'));
    encoded.correlation[index] = e.correlationId === undefined || e.correlationId === null ? null : optionalUuid(e.correlationId, at('.correlationId'));
  }
  return encoded;
}

function optionalUuid(value: unknown, argument: string): string | null {
  if (value === undefined || value === null) return null;
  assertUuid(value, argument);
  return value;
}

/**
 * JSON text for a jsonb column, or InvalidArgumentError naming the argument
 * (`argument`, or `argument(suffix)` when the name is built lazily).
 */
export function toJson(value: unknown, argument: string | ((suffix: string) => string), suffix = ''): string {
  const name = () => (typeof argument === 'string' ? argument + suffix : argument(suffix));
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(name(), `not serialisable to JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new InvalidArgumentError(name(), `not serialisable to JSON (${describe(value)})`);
  // jsonb cannot hold U+0000 nor a lone surrogate; JSON.stringify writes both as \u escapes (lowercase hex),
  // so text without such an escape is fine. With one, the parsed copy (what jsonb would receive) is searched,
  // since the escape may also be a backslash of the data followed by "u0000".
  if (json.includes('\\u0000') || json.includes('\\ud')) {
    const found = findUnstorable(JSON.parse(json), '');
    if (found) throw new InvalidArgumentError(name() + found.path, found.problem);
  }
  return json;
}

/** The first string (value or key) of a JSON value that PostgreSQL cannot store, with its path (`.a[2].b`). */
function findUnstorable(value: unknown, path: string): { path: string; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem === undefined ? undefined : { path, problem };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    const keyProblem = unstorableText(key);
    if (keyProblem !== undefined) return { path: keyPath, problem: `key ${keyProblem}` };
    const found = findUnstorable(item, keyPath);
    if (found) return found;
  }
  return undefined;
}
