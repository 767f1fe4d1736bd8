import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events } from '../support/stores';

describe('snapshots: an older source version never replaces a newer one', () => {
  let store: EventStore;
  let second: EventStore;
  let n = 0;
  const source = () => `cart-${++n}`;

  before(async () => {
    store = await connectStore('snap_versions', { enableHardDeletes: true });
    second = await connectStore('unused', { schema: store.schema });
  });
  after(async () => {
    await second?.close();
    await disposeStore(store);
  });

  it('keeps the newer snapshot when an older one is recorded after it', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 10, sourceType: 'Cart', data: { items: 10 } });
    await store.recordSnapshot({ sourceId, sourceVersion: 5, sourceType: 'Cart', data: { items: 5 } });
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 10, data: { items: 10 } });
  });

  it('replaces a snapshot of the same or a newer version', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 3, sourceType: 'Cart', data: { at: 'first' } });
    await store.recordSnapshot({ sourceId, sourceVersion: 3, sourceType: 'Cart', data: { at: 'again' } });
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 3, data: { at: 'again' } });
    await store.recordSnapshot({ sourceId, sourceVersion: 4, sourceType: 'Cart', data: { at: 'newer' } });
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 4, data: { at: 'newer' } });
  });

  it('ends with the newest of many concurrent writers, from two pools, in any order', async () => {
    for (let round = 0; round < 5; round++) {
      const sourceId = source();
      const versions = Array.from({ length: 24 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
      await Promise.all(versions.map((version, i) => (i % 2 === 0 ? store : second).recordSnapshot({
        sourceId, sourceVersion: version, sourceType: 'Cart', data: { version },
      })));
      expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 24, data: { version: 24 } });
    }
  });

  it('concurrent writers inside transactions: the newest wins whatever the commit order', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 1, sourceType: 'Cart', data: { version: 1 } });
    // The newer writer commits first; the older one, blocked on its row lock meanwhile, then finds the newer row.
    let releaseNewer!: () => void;
    const newerMayCommit = new Promise<void>((resolve) => (releaseNewer = resolve));
    const newer = store.orm.em.fork().transactional(async (em) => {
      await store.recordSnapshot({ sourceId, sourceVersion: 9, sourceType: 'Cart', data: { version: 9 } }, { em });
      await newerMayCommit;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const older = second.orm.em.fork().transactional(async (em) => {
      await second.recordSnapshot({ sourceId, sourceVersion: 5, sourceType: 'Cart', data: { version: 5 } }, { em });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseNewer();
    await Promise.all([newer, older]);
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 9, data: { version: 9 } });
  });

  it('replaces a snapshot that is ahead of its stream (hard-deleted and begun again)', async () => {
    const streamId = source();
    await store.appendToStream(streamId, ExpectedVersion.NoStream, events(8));
    await store.recordSnapshot({ sourceId: streamId, sourceVersion: 8, sourceType: 'Cart', data: { life: 1 } });
    await store.deleteStream(streamId, 8, { hard: true });
    await store.appendToStream(streamId, ExpectedVersion.NoStream, events(3));
    await store.recordSnapshot({ sourceId: streamId, sourceVersion: 3, sourceType: 'Cart', data: { life: 2 } });
    expect(await store.readSnapshot(streamId)).to.deep.include({ sourceVersion: 3, data: { life: 2 } });
  });
});
