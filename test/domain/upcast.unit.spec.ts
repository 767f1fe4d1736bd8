import { expect } from 'chai';
import { MissingUpcasterError, UnsupportedEventVersionError } from '../../src';
import { DomainRegistry } from '../../src/domain/registry';
import { storedSchemaVersion, upcast } from '../../src/domain/upcasters';
import { caughtSync } from './helpers';

// A registry of its own: v1 { product } -> v2 { sku, qty } -> v3 { sku, quantity }.
const registry = new DomainRegistry();
registry.registerUpcaster('ItemAdded', 1, (data: { product: string }) => ({ sku: data.product, qty: 1 }));
registry.registerUpcaster('ItemAdded', 2, (data: { sku: string; qty: number }, context) => {
  const { qty, ...rest } = data;
  return { ...rest, quantity: qty, from: context.fromVersion, type: context.eventType };
});

describe('upcasting stored data', () => {
  it('runs the chain in order from the stored version to the class\'s, with its context', () => {
    expect(upcast(registry, 'ItemAdded', { product: 'p-1' }, null, 1, 3)).to.deep.equal({ sku: 'p-1', quantity: 1, from: 2, type: 'ItemAdded' });
    expect(upcast(registry, 'ItemAdded', { sku: 's', qty: 4 }, null, 2, 3)).to.deep.equal({ sku: 's', quantity: 4, from: 2, type: 'ItemAdded' });
  });

  it('returns data already at the class\'s version untouched', () => {
    const data = { sku: 's', quantity: 1 };
    expect(upcast(registry, 'ItemAdded', data, null, 3, 3)).to.equal(data);
  });

  it('never alters the stored data, even with an upcaster that edits in place', () => {
    const local = new DomainRegistry();
    local.registerUpcaster('T', 1, (data: { n: number }) => {
      data.n += 1;
      return data;
    });
    const stored = { n: 1 };
    expect(upcast(local, 'T', stored, null, 1, 2)).to.deep.equal({ n: 2 });
    expect(stored).to.deep.equal({ n: 1 });
  });

  it('names the missing step of a broken chain', () => {
    const error = caughtSync(() => upcast(registry, 'ItemAdded', {}, null, 1, 4));
    expect(error).to.be.instanceOf(MissingUpcasterError);
    expect([error.code, error.fromVersion, error.targetVersion]).to.deep.equal(['missing_upcaster', 3, 4]);
  });

  it('reads the stored version from the metadata, 1 when absent', () => {
    expect(storedSchemaVersion('T', null, 3)).to.equal(1);
    expect(storedSchemaVersion('T', { other: 1 }, 3)).to.equal(1);
    expect(storedSchemaVersion('T', { schemaVersion: null }, 3)).to.equal(1);
    expect(storedSchemaVersion('T', { schemaVersion: 3 }, 3)).to.equal(3);
  });

  for (const bad of [4, 0, 1.5, '2']) {
    it(`refuses a stored version of ${JSON.stringify(bad)} for a class at version 3`, () => {
      const error = caughtSync(() => storedSchemaVersion('T', { schemaVersion: bad }, 3));
      expect(error).to.be.instanceOf(UnsupportedEventVersionError);
      expect([error.code, error.storedVersion, error.supportedVersion]).to.deep.equal(['unsupported_event_version', bad, 3]);
    });
  }
});
