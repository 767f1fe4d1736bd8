import { expect } from 'chai';
import { quoteSchema } from '../../src/repositories/schema-name';
import { assertPoolSize, resolveClientUrl, resolveStoreOptions } from '../../src/store/store-options';
import { resolveReplicaOptions } from '../../src/replication/replica-options';
import { expectInvalidArgument } from '../support/invalid-argument';

describe('store options', () => {
  it('completes the options with the defaults', () => {
    expect(resolveStoreOptions()).to.deep.equal({
      schema: 'public',
      enableHardDeletes: false,
      sessionUrl: undefined,
      sequencerIntervalMs: 1000,
      subscriptions: { pollIntervalMs: 1000, lockLeaseMs: 10_000 },
      replicas: undefined,
      retentionJob: undefined,
    });
  });

  it('keeps what the caller set', () => {
    const resolved = resolveStoreOptions({ schema: 'tenant_7', enableHardDeletes: true, sessionUrl: 'postgres://s', sequencerIntervalMs: 0 });
    expect(resolved).to.deep.include({ schema: 'tenant_7', enableHardDeletes: true, sessionUrl: 'postgres://s', sequencerIntervalMs: 0 });
  });

  const bad: Array<[string, unknown, string, RegExp?]> = [
    ['options that are not an object', 'public', 'options'],
    ['a schema with upper case', { schema: 'Tenant' }, 'schema', /not a valid schema name/],
    ['a schema with a quote', { schema: 'a"b' }, 'schema'],
    ['a schema starting with a digit', { schema: '1a' }, 'schema'],
    ['a pg_ schema', { schema: 'pg_store' }, 'schema', /pg_/],
    ['a schema longer than 63 characters', { schema: 'a'.repeat(64) }, 'schema'],
    ['an empty schema', { schema: '' }, 'schema'],
    ['enableHardDeletes that is not a boolean', { enableHardDeletes: 'yes' }, 'enableHardDeletes', /expected a boolean/],
    ['an empty sessionUrl', { sessionUrl: '' }, 'sessionUrl', /connection URL/],
    ['a negative sequencerIntervalMs', { sequencerIntervalMs: -1 }, 'sequencerIntervalMs', /integer >= 0/],
    ['a fractional sequencerIntervalMs', { sequencerIntervalMs: 0.5 }, 'sequencerIntervalMs'],
    ['bad subscription settings', { subscriptions: { pollIntervalMs: 'often' } }, 'subscriptions.pollIntervalMs'],
    ['replica settings without a replicaUrl', { replica: { fallback: 'wait' } }, 'replica', /without a replicaUrl/],
  ];
  for (const [label, options, argument, message] of bad) {
    it(`refuses ${label}`, () => expectInvalidArgument(() => resolveStoreOptions(options as never), argument, message));
  }

  it('accepts a schema of 63 characters and quotes it exactly', () => {
    expect(resolveStoreOptions({ schema: `_${'a'.repeat(62)}` }).schema).to.have.length(63);
    expect(quoteSchema('tenant_1')).to.equal('"tenant_1"');
    expectInvalidArgument(() => quoteSchema('x; drop table y'), 'schema');
  });

  it('needs a pool of at least 2 connections', () => {
    assertPoolSize({});
    assertPoolSize({ mikroOrm: { pool: { max: 2 } } });
    expectInvalidArgument(() => assertPoolSize({ mikroOrm: { pool: { max: 1 } } }), 'mikroOrm.pool.max', /at least 2 connections, got 1/);
    expectInvalidArgument(() => assertPoolSize({ mikroOrm: { pool: { max: '5' as never } } }), 'mikroOrm.pool.max');
  });

  describe('the client URL', () => {
    const saved = process.env.DATABASE_URL;
    afterEach(() => {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    });

    it('is clientUrl, else DATABASE_URL, else a typed error', () => {
      process.env.DATABASE_URL = 'postgres://from-env/db';
      expect(resolveClientUrl({ clientUrl: 'postgres://given/db' })).to.equal('postgres://given/db');
      expect(resolveClientUrl({})).to.equal('postgres://from-env/db');
      delete process.env.DATABASE_URL;
      expectInvalidArgument(() => resolveClientUrl({}), 'clientUrl', /pass \{ clientUrl \} or set DATABASE_URL/);
      expectInvalidArgument(() => resolveClientUrl({ clientUrl: '' }), 'clientUrl');
    });
  });

  describe('replicas', () => {
    it('are off without a replicaUrl', () => {
      expect(resolveReplicaOptions(undefined, undefined)).to.equal(undefined);
    });

    it('take one URL or several, with defaults', () => {
      expect(resolveReplicaOptions('postgres://r1', undefined)).to.deep.equal({
        urls: ['postgres://r1'], fallback: 'primary', timeoutMs: 2000, poolSize: 10, retryAfterMs: 1000,
      });
      expect(resolveReplicaOptions(['postgres://r1', 'postgres://r2'], { fallback: 'error', timeoutMs: 0 }))
        .to.deep.include({ urls: ['postgres://r1', 'postgres://r2'], fallback: 'error', timeoutMs: 0 });
    });

    it('refuse bad settings, naming which', () => {
      expectInvalidArgument(() => resolveReplicaOptions([], undefined), 'replicaUrl', /non-empty list/);
      expectInvalidArgument(() => resolveReplicaOptions(['postgres://r1', ''], undefined), 'replicaUrl[1]');
      expectInvalidArgument(() => resolveReplicaOptions(5, undefined), 'replicaUrl');
      expectInvalidArgument(() => resolveReplicaOptions('postgres://r', { fallback: 'retry' as never }), 'replica.fallback', /"primary", "wait", "error"/);
      expectInvalidArgument(() => resolveReplicaOptions('postgres://r', { poolSize: 0 }), 'replica.poolSize');
      expectInvalidArgument(() => resolveReplicaOptions('postgres://r', { retryAfterMs: 0 }), 'replica.retryAfterMs');
      expectInvalidArgument(() => resolveReplicaOptions('postgres://r', { timeoutMs: -1 }), 'replica.timeoutMs');
      expectInvalidArgument(() => resolveReplicaOptions('postgres://r', null as never), 'replica');
    });
  });
});
