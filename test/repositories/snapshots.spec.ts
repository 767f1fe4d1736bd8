import { expect } from 'chai';
import { EventStore, InvalidArgumentError, SnapshotNotFoundError } from '../../src';
import type { SnapshotData } from '../../src';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';

describe('snapshots', () => {
  let store: EventStore;
  let n = 0;
  const source = () => `account-${++n}`;

  before(async () => {
    store = await connectStore('snapshots');
  });
  after(() => disposeStore(store));

  it('records a snapshot and reads it back', async () => {
    const sourceId = source();
    const before = Date.now();
    await store.recordSnapshot({ sourceId, sourceVersion: 7, sourceType: 'BankAccount', data: { balance: 42, owners: ['a'] }, metadata: { by: 'test' } });
    const snapshot = await store.readSnapshot(sourceId);
    expect(snapshot).to.deep.include({
      sourceId, sourceVersion: 7, sourceType: 'BankAccount', data: { balance: 42, owners: ['a'] }, metadata: { by: 'test' },
    });
    expect(snapshot.createdAt).to.be.instanceOf(Date);
    expect(snapshot.createdAt!.getTime()).to.be.within(before - 5000, Date.now() + 5000);
  });

  it('stores a snapshot without metadata as null metadata, and scalar data as is', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 0, sourceType: 'Counter', data: 5 });
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 0, data: 5, metadata: null });
  });

  it('replaces version, type, data and metadata when a snapshot is recorded again', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 1, sourceType: 'V1', data: { a: 1, old: true }, metadata: { m: 1 } });
    const rows = (await tableCounts(store.schema)).snapshots;
    await store.recordSnapshot({ sourceId, sourceVersion: 2, sourceType: 'V2', data: { a: 2 } });
    expect(await store.readSnapshot(sourceId)).to.deep.include({ sourceVersion: 2, sourceType: 'V2', data: { a: 2 }, metadata: null });
    expect((await tableCounts(store.schema)).snapshots).to.equal(rows);
  });

  it('fails with SnapshotNotFoundError for a source without a snapshot', async () => {
    const sourceId = source();
    const error = await caught(store.readSnapshot(sourceId));
    expect(error).to.be.instanceOf(SnapshotNotFoundError);
    expect(error).to.include({ code: 'snapshot_not_found', sourceId });
  });

  it('deletes a snapshot, and deleting a missing one is no error', async () => {
    const sourceId = source();
    await store.recordSnapshot({ sourceId, sourceVersion: 3, sourceType: 'T', data: {} });
    await store.deleteSnapshot(sourceId);
    expect(await caught(store.readSnapshot(sourceId))).to.be.instanceOf(SnapshotNotFoundError);
    await store.deleteSnapshot(sourceId);
    await store.deleteSnapshot(source());
  });

  it('keeps snapshots of different sources apart', async () => {
    const [a, b] = [source(), source()];
    await store.recordSnapshot({ sourceId: a, sourceVersion: 1, sourceType: 'T', data: { who: 'a' } });
    await store.recordSnapshot({ sourceId: b, sourceVersion: 9, sourceType: 'T', data: { who: 'b' } });
    await store.deleteSnapshot(a);
    expect((await store.readSnapshot(b)).data).to.deep.equal({ who: 'b' });
  });

  it('refuses bad snapshots with InvalidArgumentError naming the argument, and writes nothing', async () => {
    const good = (): SnapshotData => ({ sourceId: source(), sourceVersion: 1, sourceType: 'T', data: { x: 1 } });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad: Array<[string, unknown]> = [
      ['snapshot', null],
      ['snapshot', 'snapshot'],
      ['snapshot', [good()]],
      ['snapshot.sourceId', { ...good(), sourceId: '' }],
      ['snapshot.sourceId', { ...good(), sourceId: 5 }],
      ['snapshot.sourceId', { ...good(), sourceId: undefined }],
      ['snapshot.sourceId', { ...good(), sourceId: 'a\u0000b' }],
      ['snapshot.sourceId', { ...good(), sourceId: 'x'.repeat(1001) }],
      ['snapshot.sourceVersion', { ...good(), sourceVersion: -1 }],
      ['snapshot.sourceVersion', { ...good(), sourceVersion: 1.5 }],
      ['snapshot.sourceVersion', { ...good(), sourceVersion: '1' }],
      ['snapshot.sourceVersion', { ...good(), sourceVersion: undefined }],
      ['snapshot.sourceType', { ...good(), sourceType: '' }],
      ['snapshot.sourceType', { ...good(), sourceType: 3 }],
      ['snapshot.sourceType', { ...good(), sourceType: 'T\u0000' }],
      ['snapshot.data', { ...good(), data: undefined }],
      ['snapshot.data', { ...good(), data: circular }],
      ['snapshot.data', { ...good(), data: { big: 1n } }],
      ['snapshot.data', { ...good(), data: () => 1 }],
      ['snapshot.data.text', { ...good(), data: { text: 'a\u0000b' } }],
      ['snapshot.metadata', { ...good(), metadata: 'm' }],
      ['snapshot.metadata', { ...good(), metadata: [1] }],
      ['snapshot.metadata.text', { ...good(), metadata: { text: '\u0000' } }],
      ['options.em', [good(), { em: {} }]],
    ];
    const before = await tableCounts(store.schema);
    for (const [argument, input] of bad) {
      const [snapshot, options] = argument === 'options.em' ? (input as [SnapshotData, object]) : [input, undefined];
      const error = await caught(store.recordSnapshot(snapshot as SnapshotData, options as never));
      expect(error, `${argument}: ${String(input)}`).to.be.instanceOf(InvalidArgumentError);
      expect(error.argument, `${argument}: ${String(input)}`).to.equal(argument);
      expect(error.message).to.contain(argument);
    }
    for (const sourceId of ['', 7, null, 'a\u0000', 'é'.repeat(501)]) {
      for (const call of [() => store.readSnapshot(sourceId as string), () => store.deleteSnapshot(sourceId as string)]) {
        const error = await caught(call);
        expect(error).to.be.instanceOf(InvalidArgumentError);
        expect(error.argument).to.equal('sourceId');
      }
    }
    expect((await caught(store.deleteSnapshot('x', { em: 'em' } as never))).argument).to.equal('options.em');
    expect(await tableCounts(store.schema)).to.deep.equal(before);
  });
});
