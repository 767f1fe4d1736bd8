import { expect } from 'chai';
import {
  PROJECTION_DEFAULTS,
  assertPosition,
  resolveProjectionOptions,
  resolveRebuildOptions,
  resolveRunnerOptions,
  resolveWaitForOptions,
} from '../../src/projections/projection-options';
import { expectInvalidArgument } from '../support/invalid-argument';

const AT = '@Projection(spec) options';

describe('projection options', () => {
  it('completes @Projection options with the defaults', () => {
    expect(resolveProjectionOptions(undefined, AT)).to.deep.equal({ startFrom: 'origin', batchSize: 1000, maxAttempts: 5, poisonEvents: 'stop', inline: false, batchLookups: true });
  });

  it('keeps what the projection set', () => {
    expect(resolveProjectionOptions({ startFrom: 12, batchSize: 10_000, maxAttempts: 1, poisonEvents: 'park', batchLookups: false }, AT))
      .to.deep.equal({ startFrom: 12, batchSize: 10_000, maxAttempts: 1, poisonEvents: 'park', inline: false, batchLookups: false });
    expect(resolveProjectionOptions({ inline: true, startFrom: 'current' }, AT)).to.deep.include({ inline: true, startFrom: 'current' });
  });

  const bad: Array<[string, unknown, string, RegExp?]> = [
    ['options that are not an object', 5, AT, /expected an object/],
    ['a startFrom word it does not know', { startFrom: 'now' }, `${AT}.startFrom`, /a position >= 0/],
    ['a negative startFrom', { startFrom: -3 }, `${AT}.startFrom`],
    ['a batchSize of 0', { batchSize: 0 }, `${AT}.batchSize`, /from 1 to 10000/],
    ['a batchSize above the most', { batchSize: PROJECTION_DEFAULTS.maxBatchSize + 1 }, `${AT}.batchSize`, /from 1 to 10000, got 10001/],
    ['a maxAttempts of 0', { maxAttempts: 0 }, `${AT}.maxAttempts`, /integer >= 1/],
    ['a poisonEvents policy it does not know', { poisonEvents: 'skip' }, `${AT}.poisonEvents`, /'stop' or 'park'/],
    ['an inline flag that is not a boolean', { inline: 'yes' }, `${AT}.inline`, /expected a boolean/],
    ['an inline projection that parks events', { inline: true, poisonEvents: 'park' }, `${AT}.poisonEvents`, /cannot park events/],
  ];
  for (const [label, options, argument, message] of bad) {
    it(`refuses ${label}, naming where it was set`, () => expectInvalidArgument(() => resolveProjectionOptions(options as never, AT), argument, message));
  }

  it('completes and checks the runner options', () => {
    const onError = () => undefined;
    expect(resolveRunnerOptions(undefined)).to.deep.equal({ takeoverIntervalMs: 1000, retryDelayMs: 100, maxRetryDelayMs: 30_000, onError: undefined });
    expect(resolveRunnerOptions({ retryDelayMs: 40_000, onError })).to.deep.equal({ takeoverIntervalMs: 1000, retryDelayMs: 40_000, maxRetryDelayMs: 40_000, onError });
    expectInvalidArgument(() => resolveRunnerOptions({ retryDelayMs: 10, maxRetryDelayMs: 5 }), 'options.maxRetryDelayMs', /must not be below/);
    expectInvalidArgument(() => resolveRunnerOptions({ takeoverIntervalMs: 0 }), 'options.takeoverIntervalMs');
    expectInvalidArgument(() => resolveRunnerOptions({ onError: 'log' } as never), 'options.onError', /expected a function/);
    expectInvalidArgument(() => resolveRunnerOptions([] as never), 'options');
  });

  it('completes and checks the rebuild options', () => {
    expect(resolveRebuildOptions(undefined)).to.deep.equal({ onProgress: undefined, ownershipTimeoutMs: 10_000 });
    expect(resolveRebuildOptions({ ownershipTimeoutMs: 0 }).ownershipTimeoutMs).to.equal(0);
    expectInvalidArgument(() => resolveRebuildOptions({ onProgress: 1 } as never), 'options.onProgress');
    expectInvalidArgument(() => resolveRebuildOptions({ ownershipTimeoutMs: -1 }), 'options.ownershipTimeoutMs');
  });

  it('completes and checks waitFor\'s options and position', () => {
    expect(resolveWaitForOptions(undefined)).to.deep.equal({ timeoutMs: 5000 });
    expect(resolveWaitForOptions({ timeoutMs: 0 })).to.deep.equal({ timeoutMs: 0 });
    expectInvalidArgument(() => resolveWaitForOptions({ timeoutMs: 1.5 }), 'options.timeoutMs');
    expectInvalidArgument(() => resolveWaitForOptions(null as never), 'options');
    assertPosition(0);
    assertPosition(Number.MAX_SAFE_INTEGER);
    expectInvalidArgument(() => assertPosition(-1), 'position', /a \$all position/);
    expectInvalidArgument(() => assertPosition('3'), 'position');
    expectInvalidArgument(() => assertPosition(2 ** 53), 'position');
  });
});
