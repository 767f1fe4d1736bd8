import { expect } from 'chai';
import { join } from 'node:path';
import { ImportEdge, folderCycles, layerViolations, readImports } from './import-graph';

const SRC = join(__dirname, '../../src');
const MIGRATIONS = join(__dirname, '../../migrations');

describe('the layering of src/ (docs/architecture.md)', () => {
  const edges = readImports(SRC);
  const format = (list: readonly ImportEdge[]) => list.map(({ from, to }) => `${from} -> ${to}`);

  it('reads the imports of the sources', () => {
    expect(edges).to.deep.include({ from: 'index.ts', to: 'store/event-store.ts' });
    expect(edges).to.deep.include({ from: 'store/store-services.ts', to: 'repositories/stream-writer.ts' });
  });

  it('has no folder cycle, between top-level folders or between the subfolders of one folder', () => {
    expect(folderCycles(edges)).to.deep.equal([]);
  });

  it('keeps the storage core a leaf: it imports only the kernel and the core', () => {
    expect(format(layerViolations(edges))).to.deep.equal([]);
  });

  it('lets the migrations import only the kernel (the protocol they interpolate)', () => {
    const fromMigrations = readImports(MIGRATIONS).map(({ from, to }) => ({ from: `../migrations/${from}`, to: to.startsWith('../src/') ? to.slice('../src/'.length) : `../migrations/${to}` }));
    const external = fromMigrations.filter(({ to }) => !to.startsWith('../migrations/'));
    expect(external.length).to.be.greaterThan(0);
    expect(format(layerViolations(external))).to.deep.equal([]);
  });

  describe('on a graph that breaks the rules', () => {
    const bad: ImportEdge[] = [
      { from: 'repositories/event-store.ts', to: 'subscriptions/subscription-manager.ts' },
      { from: 'subscriptions/event-source.ts', to: 'repositories/stream-reader.ts' },
      { from: 'repositories/sql/read.sql.ts', to: 'projections/projection-hub.ts' },
      { from: 'projections/parking/parked-events.ts', to: 'projections/waiting/checkpoint-waiters.ts' },
      { from: 'projections/waiting/checkpoint-waiters.ts', to: 'projections/parking/parked-events.ts' },
      { from: 'validation.ts', to: 'domain/registry.ts' },
      { from: 'repositories/stream-writer.ts', to: 'protocol.ts' },
    ];

    it('finds the folder cycles', () => {
      expect(folderCycles(bad)).to.have.deep.members([
        ['repositories', 'subscriptions'],
        ['projections/parking', 'projections/waiting'],
      ]);
    });

    it('finds the imports from the core and the kernel to the layers above', () => {
      expect(format(layerViolations(bad))).to.deep.equal([
        'repositories/event-store.ts -> subscriptions/subscription-manager.ts',
        'repositories/sql/read.sql.ts -> projections/projection-hub.ts',
        'validation.ts -> domain/registry.ts',
      ]);
    });
  });
});
