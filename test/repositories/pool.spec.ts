import { expect } from 'chai';
import { EventStore, ExpectedVersion, InvalidArgumentError } from '../../src';
import { caught, connectStore, disposeStore, events, testDatabaseUrl, uniqueSchema } from '../support/stores';
import { waitUntil } from '../support/wait';

describe('pool size', () => {
  let store: EventStore | undefined;
  after(() => disposeStore(store));

  it('works with a pool of 2 connections: migrations, appends, and a caller transaction', async () => {
    const pooled = (store = await connectStore('pool2', { mikroOrm: { pool: { min: 0, max: 2 } } }));
    await store.appendToStream('a', ExpectedVersion.NoStream, events(2));
    const em = store.orm.em.fork();
    await em.begin();
    await store.appendToStream('b', ExpectedVersion.NoStream, events(1), { em });
    await em.commit();
    await waitUntil(async () => (await pooled.readAllForward()).length >= 3, 'three events in $all', 3000, 10);
    expect((await store.readAllForward()).map((e) => e.streamId)).to.deep.equal(['a', 'a', 'b']);
  });

  it('refuses a pool of 1 with a clear error before connecting', async () => {
    const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema: uniqueSchema('pool1'), mikroOrm: { pool: { max: 1 } } }));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect(error.message).to.match(/mikroOrm\.pool\.max.*at least 2/);
  });
});
