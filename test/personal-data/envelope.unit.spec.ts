import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DataKey, Envelope, forEachEnvelope, isEnvelope, open, replaceEnvelopes, seal } from '../../src/domain/personal-data/envelope';
import { MasterKeyProvider, resolveKeyProvider } from '../../src/domain/personal-data/key-provider';
import { expectInvalidArgument } from '../support/invalid-argument';

const key = (subjectId = 'customer-1', generation = 1): DataKey => ({ subjectId, generation, key: randomBytes(32) });

describe('personal data envelopes', () => {
  it('seal a value so that only its key opens it', () => {
    const dataKey = key();
    const envelope = seal(JSON.stringify({ email: 'a@example.com' }), dataKey);
    expect(envelope).to.include({ $pd: 1, s: 'customer-1', k: 1 });
    expect(envelope.c).to.not.include('example');
    expect(open(envelope, dataKey.key)).to.deep.equal({ email: 'a@example.com' });
    expect(() => open(envelope, randomBytes(32)), 'another key').to.throw();
  });

  it('seal the same value differently each time (a fresh IV)', () => {
    const dataKey = key();
    expect(seal('"x"', dataKey).c).to.not.equal(seal('"x"', dataKey).c);
  });

  it('cannot be moved to another subject or key generation', () => {
    const dataKey = key();
    const envelope = seal('"secret"', dataKey);
    expect(() => open({ ...envelope, s: 'customer-2' }, dataKey.key)).to.throw();
    expect(() => open({ ...envelope, k: 2 }, dataKey.key)).to.throw();
  });

  it('refuse a tampered ciphertext', () => {
    const dataKey = key();
    const envelope = seal('"secret"', dataKey);
    const bytes = Buffer.from(envelope.c, 'base64');
    bytes[14] ^= 1;
    expect(() => open({ ...envelope, c: bytes.toString('base64') }, dataKey.key)).to.throw();
  });

  it('are recognised by their shape only', () => {
    const envelope = seal('1', key());
    expect(isEnvelope(envelope)).to.equal(true);
    for (const other of [null, 'x', { $pd: 2, s: 'a', k: 1, c: '' }, { $pd: 1, s: 'a', k: '1', c: '' }, { $pd: 1, s: 'a', k: 1 }]) {
      expect(isEnvelope(other), JSON.stringify(other)).to.equal(false);
    }
  });

  it('are found anywhere in a JSON value, and replaced in a copy that leaves the original alone', () => {
    const a = seal('"a"', key('s1'));
    const b = seal('"b"', key('s2'));
    const value = { plain: 1, nested: { list: [a, 2, { deep: b }] }, untouched: { x: [1] } };
    const found: Envelope[] = [];
    forEachEnvelope(value, (envelope) => found.push(envelope));
    expect(found.map((e) => e.s)).to.deep.equal(['s1', 's2']);
    const replaced = replaceEnvelopes(value, (envelope) => `opened ${envelope.s}`) as typeof value;
    expect(replaced).to.deep.equal({ plain: 1, nested: { list: ['opened s1', 2, { deep: 'opened s2' }] }, untouched: { x: [1] } });
    expect(value.nested.list[0]).to.equal(a);
    expect(replaced.untouched, 'parts without envelopes are shared, not copied').to.equal(value.untouched);
  });

  it('leave a value without envelopes as the same object', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(replaceEnvelopes(value, () => null)).to.equal(value);
    expect(replaceEnvelopes('text', () => null)).to.equal('text');
  });
});

describe('the personalData option', () => {
  it('is off when absent', () => {
    expect(resolveKeyProvider(undefined)).to.equal(undefined);
  });

  it('takes a master key of 32 bytes, as bytes or base64, and wraps keys for their own subject only', () => {
    const master = randomBytes(32);
    const provider = resolveKeyProvider({ masterKey: master.toString('base64') }) as MasterKeyProvider;
    const dataKey = randomBytes(32);
    const wrapped = provider.wrapKey(dataKey, { subjectId: 's', generation: 1 });
    expect(new MasterKeyProvider(master).unwrapKey(wrapped, { subjectId: 's', generation: 1 })).to.deep.equal(dataKey);
    expect(() => provider.unwrapKey(wrapped, { subjectId: 'other', generation: 1 })).to.throw();
  });

  it('takes a key provider of the application', () => {
    const provider = { wrapKey: (k: Buffer) => k, unwrapKey: (k: Buffer) => k };
    expect(resolveKeyProvider({ keyProvider: provider })).to.equal(provider);
  });

  const bad: Array<[string, unknown, string, RegExp?]> = [
    ['a string', 'key', 'personalData', /expected \{ masterKey \} or \{ keyProvider \}/],
    ['neither key nor provider', {}, 'personalData', /exactly one of masterKey and keyProvider/],
    ['both', { masterKey: randomBytes(32), keyProvider: {} }, 'personalData', /exactly one/],
    ['a master key of 16 bytes', { masterKey: randomBytes(16) }, 'personalData.masterKey', /expected 32 bytes .* got 16 bytes/],
    ['a master key that is not base64', { masterKey: 'not base64!' }, 'personalData.masterKey'],
    ['a master key that is a number', { masterKey: 32 }, 'personalData.masterKey', /got 32$/],
    ['a provider without unwrapKey', { keyProvider: { wrapKey: () => undefined } }, 'personalData.keyProvider', /wrapKey and unwrapKey/],
  ];
  for (const [label, options, argument, message] of bad) {
    it(`refuses ${label}`, () => expectInvalidArgument(() => resolveKeyProvider(options), argument, message));
  }
});
