import { expect } from 'chai';
import { EventStore, ExpectedVersion, StoreOperationError, Subscription, SubscriptionHandlerError } from '../../src';
import { connectStore, disposeStore, events, withClient } from '../support/stores';
import { Recorder, waitUntil } from './helpers';

describe('errors a subscription reports to onError', () => {
  let store: EventStore;
  const open: Subscription<any>[] = [];

  before(async () => {
    store = await connectStore('reported');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sub) => sub.unsubscribe()));
  });
  after(() => disposeStore(store));

  const renameEvents = (from: string, to: string) =>
    withClient((c) => c.query(`alter table "${store.schema}".${from} rename to ${to}`));

  it('a failed read reaches onError as a StoreOperationError with the SQLSTATE; the subscription carries on once the read works', async () => {
    await store.appendToStream('reads', ExpectedVersion.NoStream, events(2));
    const rec = new Recorder();
    await renameEvents('events', 'events_hidden');
    try {
      open.push(await store.subscribeToStream('reads', 'reader', rec.handler, { retryDelayMs: 20, onError: rec.onError }));
      await waitUntil(() => rec.errors.length > 0, 'the failed read was reported');
    } finally {
      await renameEvents('events_hidden', 'events');
    }
    const error = rec.errors[0] as StoreOperationError;
    expect(error).to.be.instanceOf(StoreOperationError);
    expect(error).to.include({ code: 'store_operation_failed', sqlState: '42P01', operation: 'subscription "reader" to reads' });
    expect(error.cause).to.be.instanceOf(Error);
    await rec.waitForCount(2);
    expect(rec.numbers()).to.deep.equal([1, 2]);
  });

  it('a handler that throws reaches onError as a SubscriptionHandlerError with its message and cause', async () => {
    await store.appendToStream('handled', ExpectedVersion.NoStream, events(1));
    const thrown = new Error('no credit');
    const errors: Error[] = [];
    let failures = 1;
    open.push(await store.subscribeToStream('handled', 'handler', async (batch, sub) => {
      if (failures-- > 0) throw thrown;
      await sub.ack(batch);
    }, { retryDelayMs: 10, onError: (error) => errors.push(error) }));
    await waitUntil(() => errors.length > 0, 'the handler failure was reported');
    expect(errors[0]).to.be.instanceOf(SubscriptionHandlerError);
    expect(errors[0]).to.include({ code: 'subscription_handler_failed', message: 'no credit', streamId: 'handled', subscriptionName: 'handler' });
    expect(errors[0].cause).to.equal(thrown);
  });

  it('a transient subscription\'s selector that throws is reported as a SubscriptionHandlerError', async () => {
    const errors: Error[] = [];
    open.push(await store.subscribe('transient', () => undefined, {
      selector: () => {
        throw new Error('bad selector');
      },
      onError: (error) => errors.push(error),
    }));
    await store.appendToStream('transient', ExpectedVersion.Any, events(1));
    await waitUntil(() => errors.length > 0, 'the selector failure was reported');
    expect(errors[0]).to.be.instanceOf(SubscriptionHandlerError).and.to.include({ code: 'subscription_handler_failed', message: 'bad selector' });
  });
});
