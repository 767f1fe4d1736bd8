import { expect } from 'chai';
import {
  SUBSCRIPTION_DEFAULTS,
  assertHandler,
  assertSubscriptionName,
  resolvePersistentOptions,
  resolveSubscribeOptions,
  resolveSubscriptionSettings,
} from '../../src/subscriptions/subscription-options';
import { expectInvalidArgument } from '../support/invalid-argument';

const byStream = () => 'key';

describe('subscription options', () => {
  it('completes persistent options with the defaults', () => {
    const resolved = resolvePersistentOptions(undefined);
    expect(resolved).to.deep.include({
      startFrom: 'origin',
      bufferSize: 1000,
      concurrencyLimit: 1,
      checkpointThreshold: 1,
      checkpointAfterMs: 0,
      takeoverIntervalMs: 1000,
      retryDelayMs: 100,
      maxRetryDelayMs: 30_000,
      readBatchSize: 1000,
      autoAck: false,
      stallTimeoutMs: 30_000,
    });
    expect(resolved.filter).to.equal(undefined);
    expect(resolved.partitionBy).to.equal(undefined);
  });

  it('keeps what the caller set', () => {
    const selector = () => true;
    const resolved = resolvePersistentOptions({ startFrom: 7, bufferSize: 5, concurrencyLimit: 3, partitionBy: byStream, selector, autoAck: true, stallTimeoutMs: 0 });
    expect(resolved).to.deep.include({ startFrom: 7, bufferSize: 5, concurrencyLimit: 3, autoAck: true, stallTimeoutMs: 0 });
    expect(resolved.partitionBy).to.equal(byStream);
    expect(resolved.selector).to.equal(selector);
    expect(resolvePersistentOptions({ startFrom: 'current' }).startFrom).to.equal('current');
    expect(resolvePersistentOptions({ startFrom: 0 }).startFrom).to.equal(0);
  });

  it('reads at least 1000 events per query, the buffer size above that, at most 10000', () => {
    expect(resolvePersistentOptions({ bufferSize: 10 }).readBatchSize).to.equal(SUBSCRIPTION_DEFAULTS.minReadBatchSize);
    expect(resolvePersistentOptions({ bufferSize: 4000 }).readBatchSize).to.equal(4000);
    expect(resolvePersistentOptions({ bufferSize: 50_000 }).readBatchSize).to.equal(SUBSCRIPTION_DEFAULTS.maxReadBatchSize);
  });

  it('raises the default longest retry delay to a longer first delay', () => {
    expect(resolvePersistentOptions({ retryDelayMs: 60_000 }).maxRetryDelayMs).to.equal(60_000);
  });

  it('resolves the filter of a subscription', () => {
    expect(resolveSubscribeOptions({ filter: { eventTypes: ['B', 'A'] } }).filter!.eventTypes).to.deep.equal(['A', 'B']);
  });

  const bad: Array<[string, unknown, string, RegExp?]> = [
    ['options that are not an object', 'fast', 'options', /expected an object/],
    ['options that are an array', [], 'options'],
    ['options that are null', null, 'options'],
    ['a startFrom word it does not know', { startFrom: 'end' }, 'options.startFrom', /'origin', 'current' or an event number/],
    ['a negative startFrom', { startFrom: -1 }, 'options.startFrom'],
    ['a fractional startFrom', { startFrom: 1.5 }, 'options.startFrom'],
    ['a bufferSize of 0', { bufferSize: 0 }, 'options.bufferSize', /integer >= 1, got 0/],
    ['a bufferSize that is a string', { bufferSize: '10' }, 'options.bufferSize'],
    ['a concurrencyLimit of 0', { concurrencyLimit: 0 }, 'options.concurrencyLimit'],
    ['a concurrencyLimit above 1 without partitionBy', { concurrencyLimit: 2 }, 'options.concurrencyLimit', /needs options.partitionBy/],
    ['a partitionBy that is not a function', { partitionBy: 'streamId' }, 'options.partitionBy', /expected a function/],
    ['a checkpointThreshold of 0', { checkpointThreshold: 0 }, 'options.checkpointThreshold'],
    ['a negative checkpointAfterMs', { checkpointAfterMs: -5 }, 'options.checkpointAfterMs', /integer >= 0/],
    ['a takeoverIntervalMs of 0', { takeoverIntervalMs: 0 }, 'options.takeoverIntervalMs'],
    ['a retryDelayMs of Infinity', { retryDelayMs: Infinity }, 'options.retryDelayMs'],
    ['a longest retry delay below the first', { retryDelayMs: 500, maxRetryDelayMs: 100 }, 'options.maxRetryDelayMs', /must not be below options.retryDelayMs \(500\), got 100/],
    ['an autoAck that is not a boolean', { autoAck: 1 }, 'options.autoAck', /expected a boolean/],
    ['a negative stallTimeoutMs', { stallTimeoutMs: -1 }, 'options.stallTimeoutMs'],
    ['a selector that is not a function', { selector: true }, 'options.selector'],
    ['a mapper that is not a function', { mapper: {} }, 'options.mapper'],
    ['an onError that is not a function', { onError: 'log' }, 'options.onError'],
    ['an onState that is not a function', { onState: 1 }, 'options.onState'],
    ['a bad filter', { filter: { eventTypes: [] } }, 'options.filter.eventTypes'],
  ];
  for (const [label, options, argument, message] of bad) {
    it(`refuses ${label}`, () => expectInvalidArgument(() => resolvePersistentOptions(options as never), argument, message));
  }

  it('checks transient options the same way', () => {
    expectInvalidArgument(() => resolveSubscribeOptions({ mapper: 5 } as never), 'options.mapper');
    expectInvalidArgument(() => resolveSubscribeOptions(7 as never), 'options');
  });

  it('completes and checks the store-wide settings', () => {
    expect(resolveSubscriptionSettings(undefined)).to.deep.equal({ pollIntervalMs: 1000, lockLeaseMs: 10_000 });
    expect(resolveSubscriptionSettings({ pollIntervalMs: 0, lockLeaseMs: 100 })).to.deep.equal({ pollIntervalMs: 0, lockLeaseMs: 100 });
    expectInvalidArgument(() => resolveSubscriptionSettings({ lockLeaseMs: 99 }), 'subscriptions.lockLeaseMs', /integer >= 100/);
    expectInvalidArgument(() => resolveSubscriptionSettings({ pollIntervalMs: -1 }), 'subscriptions.pollIntervalMs');
    expectInvalidArgument(() => resolveSubscriptionSettings('fast' as never), 'subscriptions');
  });

  it('checks names and handlers', () => {
    assertSubscriptionName('orders');
    assertHandler(() => undefined);
    expectInvalidArgument(() => assertSubscriptionName(''), 'name', /non-empty string/);
    expectInvalidArgument(() => assertSubscriptionName(3), 'name');
    expectInvalidArgument(() => assertSubscriptionName('a\u0000'), 'name', /NUL/);
    expectInvalidArgument(() => assertHandler('handle'), 'handler', /expected a function/);
  });
});
