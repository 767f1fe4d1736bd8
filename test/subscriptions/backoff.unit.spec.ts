import { expect } from 'chai';
import { Backoff } from '../../src/subscriptions/backoff';

describe('Backoff', () => {
  it('doubles from the first delay up to the longest, and stays there', () => {
    const backoff = new Backoff(100, 1000);
    expect(Array.from({ length: 7 }, () => backoff.delay())).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('starts again from the first delay after a reset', () => {
    const backoff = new Backoff(5, 30);
    backoff.delay();
    backoff.delay();
    backoff.reset();
    expect([backoff.delay(), backoff.delay()]).to.deep.equal([5, 10]);
  });

  it('never waits longer than the longest delay, even when the first is not a power-of-two fraction of it', () => {
    const backoff = new Backoff(300, 1000);
    expect([backoff.delay(), backoff.delay(), backoff.delay()]).to.deep.equal([300, 600, 1000]);
  });

  it('keeps a constant delay when the first equals the longest', () => {
    const backoff = new Backoff(50, 50);
    expect([backoff.delay(), backoff.delay()]).to.deep.equal([50, 50]);
  });
});
