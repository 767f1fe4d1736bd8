/** Bad replica settings are refused before the store connects: a typed error, and no schema written. */
import { expect } from 'chai';
import { EventStore, InvalidArgumentError } from '../../src';
import { caught, testDatabaseUrl, withClient } from '../support/stores';
import { uniqueSchema } from './helpers';

describe('replica settings', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an empty URL', { replicaUrl: '' }, 'replicaUrl'],
    ['an empty list', { replicaUrl: [] }, 'replicaUrl'],
    ['a list with a non-string', { replicaUrl: ['postgres://127.0.0.1/x', 42] }, 'replicaUrl[1]'],
    ['a number', { replicaUrl: 5432 }, 'replicaUrl'],
    ['an unknown fallback', { replicaUrl: 'postgres://127.0.0.1/x', replica: { fallback: 'sometimes' } }, 'replica.fallback'],
    ['a negative timeout', { replicaUrl: 'postgres://127.0.0.1/x', replica: { timeoutMs: -1 } }, 'replica.timeoutMs'],
    ['a fractional timeout', { replicaUrl: 'postgres://127.0.0.1/x', replica: { timeoutMs: 1.5 } }, 'replica.timeoutMs'],
    ['a pool of none', { replicaUrl: 'postgres://127.0.0.1/x', replica: { poolSize: 0 } }, 'replica.poolSize'],
    ['a zero retry delay', { replicaUrl: 'postgres://127.0.0.1/x', replica: { retryAfterMs: 0 } }, 'replica.retryAfterMs'],
    ['settings that are not an object', { replicaUrl: 'postgres://127.0.0.1/x', replica: 'fast' }, 'replica'],
    ['settings without a replicaUrl', { replica: { fallback: 'error' } }, 'replica'],
  ];

  for (const [what, options, argument] of cases) {
    it(`refuses ${what} (${argument}) and creates nothing`, async () => {
      const schema = uniqueSchema('replica_bad');
      const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema, ...options } as never));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.code).to.equal('invalid_argument');
      expect(error.argument).to.equal(argument);
      const { rows } = await withClient((c) => c.query('select 1 from pg_namespace where nspname = $1', [schema]));
      expect(rows).to.have.length(0);
    });
  }
});
