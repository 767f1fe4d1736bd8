/**
 * Runs the store's hand-written SQL with bound parameters on MikroORM's own
 * connections: the pool, or the connection of a caller's open transaction.
 *
 * It talks to the node-postgres connection directly (acquired through knex)
 * because `em.execute` inlines parameters and turns arrays into lists, and
 * because named prepared statements save the server a parse and plan per
 * call on the hot paths.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/postgresql';
import { types as pgTypes } from 'pg';
import { parseTimestamptz } from './timestamp-parser';

export interface Statement {
  /** Prepared-statement name, unique per text; omit for one-off statements. */
  readonly name?: string;
  readonly text: string;
  /** 'array': rows come back as arrays of column values (cheaper than objects for wide, many-row reads). */
  readonly rowMode?: 'array';
}

export interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[]; types: unknown; rowMode?: 'array' }): Promise<{ rows: any[]; rowCount: number | null }>;
}

interface KnexClientLike {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;

/**
 * Result parsing for the store's queries, independent of MikroORM's pool
 * settings (which keep timestamps as strings): bigint as a JS number
 * (positions and versions stay far below 2^53), timestamps as Dates, jsonb parsed.
 */
const RESULT_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return Number;
    if (oid === NUMERIC) return Number;
    if (oid === TIMESTAMPTZ) return parseTimestamptz;
    if (oid === TIMESTAMP) return pgTypes.getTypeParser(oid, 'text');
    return pgTypes.getTypeParser(oid, format ?? 'text');
  },
};

/** The transaction a caller's EntityManager is in, if any. */
export function transactionOf(em: EntityManager | undefined): Knex.Transaction | undefined {
  if (!em) return undefined;
  return em.getTransactionContext<Knex.Transaction>() ?? undefined;
}

/** What runs the store's statements: the primary's pool (SqlRunner), or a router of reads to standbys. */
export interface QueryRunner {
  query<R = Record<string, any>>(statement: Statement, values: unknown[], trx?: Knex.Transaction): Promise<R[]>;
}

/** Runs one statement on a node-postgres connection, with the store's result parsing. */
export async function runStatement<R>(connection: PgConnection, statement: Statement, values: unknown[]): Promise<R[]> {
  const result = await connection.query({ name: statement.name, text: statement.text, values, types: RESULT_TYPES, rowMode: statement.rowMode });
  return result.rows as R[];
}

export class SqlRunner implements QueryRunner {
  constructor(private readonly knex: Knex) {}

  /** Runs one statement, inside `trx` when given, else on a pooled connection (autocommit). */
  async query<R = Record<string, any>>(statement: Statement, values: unknown[], trx?: Knex.Transaction): Promise<R[]> {
    const client = (trx ?? this.knex).client as unknown as KnexClientLike;
    const connection = await client.acquireConnection();
    try {
      return await runStatement<R>(connection, statement, values);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}
