import { expect } from 'chai';
import { EventStore, ExpectedVersion, InvalidArgumentError } from '../../src';
import { caught, connectStore, disposeStore, events, testDatabaseUrl, uniqueSchema } from '../support/stores';

describe('pool size', () => {
  let store: EventStore | undefined;
  after(() => disposeStore(store));

  it('works with a pool of 2 connections: migrations, appends, and a caller transaction', async () => {
    store = await connectStore('pool2', { mikroOrm: { pool: { min: 0, max: 2 } } });
    await store.appendToStream('a', ExpectedVersion.NoStream, events(2));
    const em = store.orm.em.fork();
    await em.begin();
    await store.appendToStream('b', ExpectedVersion.NoStream, events(1), { em });
    await em.commit();
    const deadline = Date.now() + 3000;
    while ((await store.readAllForward()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((await store.readAllForward()).map((e) => e.streamId)).to.deep.equal(['a', 'a', 'b']);
  });

  it('refuses a pool of 1 with a clear error before connecting', async () => {
    const error = await caught(EventStore.connect({ clientUrl: testDatabaseUrl(), schema: uniqueSchema('pool1'), mikroOrm: { pool: { max: 1 } } }));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect(error.message).to.match(/mikroOrm\.pool\.max.*at least 2/);
  });
});
