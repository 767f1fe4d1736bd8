import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { DriverException } from '@mikro-orm/core';
import type { Logger } from '@mikro-orm/core';
import { EventStoreError, StoreOperationError, StreamDeletedError, SubscriptionHandlerError } from '../../src';
import { reportedError } from '../../src/errors';
import { reportError } from '../../src/subscriptions/report-error';
import type { SubscriptionEvents } from '../../src/subscriptions/subscription-options';

/** What pg throws for a failed statement: the SQLSTATE as `code`. */
function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

const silentLogger = { error: () => undefined } as unknown as Logger;

/** Reports `failure` as a subscription does and returns what its `onError` received. */
function received(failure: Error): unknown[] {
  const subscription = new EventEmitter<SubscriptionEvents>();
  const seen: unknown[] = [];
  reportError(subscription, failure, (error) => seen.push(error), silentLogger, 'subscription "billing" to $all');
  return seen;
}

describe('errors reported to onError (unit)', () => {
  it('a failed read reaches onError as a StoreOperationError with its code, SQLSTATE, cause and what failed', () => {
    const driver = pgError('relation "events" does not exist', '42P01');
    const [error] = received(driver) as StoreOperationError[];
    expect(error).to.be.instanceOf(StoreOperationError).and.to.be.instanceOf(EventStoreError);
    expect(error).to.include({ code: 'store_operation_failed', sqlState: '42P01', operation: 'subscription "billing" to $all' });
    expect(error.cause).to.equal(driver);
    expect(error.message).to.equal('relation "events" does not exist');
  });

  it('finds the SQLSTATE through MikroORM\'s wrapper, and leaves it out for a Node error code', () => {
    const wrapped = new DriverException(pgError('terminating connection due to administrator command', '57P01'));
    expect((reportedError(wrapped, 'x') as StoreOperationError).sqlState).to.equal('57P01');
    const reset = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect((reportedError(reset, 'x') as StoreOperationError).sqlState).to.equal(undefined);
    expect((reportedError(new Error('Connection terminated unexpectedly'), 'x') as StoreOperationError).sqlState).to.equal(undefined);
  });

  it('passes the store\'s own errors through unchanged', () => {
    const deleted = new StreamDeletedError('s');
    expect(received(deleted)).to.deep.equal([deleted]);
    const handler = new SubscriptionHandlerError('s', 'billing', new Error('no credit'));
    expect(received(handler)[0]).to.equal(handler);
  });

  it('a handler\'s failure keeps its message and is its cause', () => {
    const thrown = new Error('no credit');
    const error = new SubscriptionHandlerError('s', 'billing', thrown);
    expect(error).to.include({ code: 'subscription_handler_failed', message: 'no credit', streamId: 's', subscriptionName: 'billing' });
    expect(error.cause).to.equal(thrown);
    expect(new SubscriptionHandlerError('s', undefined, 'text').message).to.equal('text');
  });

  it('error listeners receive the same typed error as onError', () => {
    const subscription = new EventEmitter<SubscriptionEvents>();
    const heard: unknown[] = [];
    const given: unknown[] = [];
    subscription.on('error', (error) => heard.push(error));
    reportError(subscription, new Error('boom'), (error) => given.push(error), silentLogger, 'transient subscription to s');
    expect(heard).to.have.length(1);
    expect(heard[0]).to.equal(given[0]).and.to.be.instanceOf(StoreOperationError);
  });
});
