import { InvalidArgumentError } from '../errors';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name the store accepts: lower-case letters, digits and `_`, at most 63 characters, not `pg_…`. */
export function assertSchemaName(schema: unknown): asserts schema is string {
  // PostgreSQL reserves the prefix pg_ for system schemas.
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new InvalidArgumentError(
      'schema',
      `${JSON.stringify(schema)} is not a valid schema name (lower-case letters, digits and "_", starting with a letter or "_", at most 63 characters, not starting with "pg_")`,
    );
  }
}

/** The schema as a quoted identifier (the name is validated first, so quoting is exact). */
export function quoteSchema(schema: string): string {
  assertSchemaName(schema);
  return `"${schema}"`;
}
