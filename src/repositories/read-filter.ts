/**
 * `$all` filters: checked once, with a typed error for every bad input, and
 * reduced to what the SQL needs (sorted, distinct types; a key that names
 * the filter, for sharing reads between subscribers with the same one).
 */
import { InvalidArgumentError } from '../errors';
import type { ReadFilter } from '../types';
import { describe, invalidValue } from '../validation';

/** More types than this is a mistake (a filter that names every type is no filter). */
const MAX_EVENT_TYPES = 1000;

export interface ResolvedFilter {
  /** Distinct and sorted; undefined: any type. */
  readonly eventTypes?: string[];
  /** Undefined: any stream. */
  readonly streamPrefix?: string;
  /** Equal for equal filters. */
  readonly key: string;
}

/** Undefined (or null) is no filter. */
export function resolveFilter(filter: unknown, argument = 'options.filter'): ResolvedFilter | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (typeof filter !== 'object' || Array.isArray(filter)) throw invalidValue(argument, 'an object with eventTypes and/or streamPrefix', filter);
  for (const key of Object.keys(filter)) {
    if (key !== 'eventTypes' && key !== 'streamPrefix') throw new InvalidArgumentError(argument, `unknown key ${JSON.stringify(key)}; expected eventTypes and/or streamPrefix`);
  }
  const { eventTypes, streamPrefix } = filter as ReadFilter;
  if (eventTypes === undefined && streamPrefix === undefined) throw new InvalidArgumentError(argument, 'expected eventTypes and/or streamPrefix, got neither');
  const resolved: { eventTypes?: string[]; streamPrefix?: string } = {};
  if (eventTypes !== undefined) resolved.eventTypes = resolveTypes(eventTypes, `${argument}.eventTypes`);
  if (streamPrefix !== undefined) resolved.streamPrefix = resolvePrefix(streamPrefix, `${argument}.streamPrefix`);
  return { ...resolved, key: JSON.stringify([resolved.eventTypes ?? null, resolved.streamPrefix ?? null]) };
}

function resolveTypes(types: unknown, argument: string): string[] {
  if (!Array.isArray(types)) throw invalidValue(argument, 'an array of event types', types);
  if (types.length === 0) throw new InvalidArgumentError(argument, 'expected at least one event type (an empty list would match nothing)');
  if (types.length > MAX_EVENT_TYPES) throw new InvalidArgumentError(argument, `at most ${MAX_EVENT_TYPES} event types, got ${types.length}`);
  types.forEach((type, i) => {
    if (typeof type !== 'string' || type.length === 0) throw invalidValue(`${argument}[${i}]`, 'a non-empty string', type);
    if (type.includes('\u0000')) throw new InvalidArgumentError(`${argument}[${i}]`, 'must not contain the NUL character');
  });
  return [...new Set(types as string[])].sort();
}

function resolvePrefix(prefix: unknown, argument: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0) throw invalidValue(argument, 'a non-empty string', prefix);
  if (prefix.startsWith('$')) throw new InvalidArgumentError(argument, `stream ids never start with "$", got ${describe(prefix)}`);
  if (prefix.includes('\u0000')) throw new InvalidArgumentError(argument, 'must not contain the NUL character');
  return prefix;
}
