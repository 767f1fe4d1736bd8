/**
 * MikroORM's errors for an entity it never discovered ("Trying to persist
 * not discovered entity of type object", "Metadata for entity X not found")
 * say nothing of the fix; inside a projection they become
 * `ReadModelNotRegisteredError`, which does.
 */
import { ValidationError } from '@mikro-orm/core';
import { ReadModelNotRegisteredError } from './errors';

const NOT_DISCOVERED = /not discovered entity of type (\w+)/;
const NO_METADATA = /^Metadata for entity (\S+) not found/;

export function explainReadModelError(error: unknown, projection: string): unknown {
  if (!(error instanceof ValidationError)) return error;
  const notDiscovered = NOT_DISCOVERED.exec(error.message);
  if (notDiscovered) {
    // "of type object" names no class: a plain object, or a class MikroORM has never seen.
    const type = notDiscovered[1];
    return new ReadModelNotRegisteredError(projection, type === 'object' ? undefined : type, error);
  }
  const noMetadata = NO_METADATA.exec(error.message);
  if (noMetadata) return new ReadModelNotRegisteredError(projection, noMetadata[1], error);
  return error;
}
