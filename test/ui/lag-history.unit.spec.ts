import { expect } from 'chai';
import { LagHistory } from '../../src/ui/lag-history';
import type { StatusReader, SubscriptionRow } from '../../src/ui/status-reader';

const row = (name: string, lag: number, kind: SubscriptionRow['kind'] = 'subscription'): SubscriptionRow =>
  ({ kind, name, streamId: '$all', checkpoint: 0, lag, owner: null, ownedSince: null, state: 'running' }) as SubscriptionRow;

/** A status reader that answers the rows it is given, in turn. */
function reader(...answers: SubscriptionRow[][]): StatusReader {
  let next = 0;
  return { subscriptions: async () => answers[Math.min(next++, answers.length - 1)] } as unknown as StatusReader;
}

describe('event browser: lag over time', () => {
  it('records each subscription\'s lag per sample, and answers the rows it read', async () => {
    const history = new LagHistory(reader([row('a', 5)], [row('a', 3)]), 1000);
    expect(await history.sample()).to.deep.equal([row('a', 5)]);
    await history.sample();
    expect(history.historyOf(row('a', 0)).map((s) => s.lag)).to.deep.equal([5, 3]);
  });

  it('keeps the last samples only', async () => {
    const answers = [1, 2, 3, 4].map((lag) => [row('a', lag)]);
    const history = new LagHistory(reader(...answers), 1000, 2);
    for (let i = 0; i < 4; i++) await history.sample();
    expect(history.historyOf(row('a', 0)).map((s) => s.lag)).to.deep.equal([3, 4]);
  });

  it('tells a projection from a subscription of the same name, and forgets what was deleted', async () => {
    const history = new LagHistory(reader([row('x', 1), row('x', 9, 'projection')], [row('x', 2)]), 1000);
    await history.sample();
    expect(history.historyOf(row('x', 0, 'projection')).map((s) => s.lag)).to.deep.equal([9]);
    await history.sample();
    expect(history.historyOf(row('x', 0, 'projection'))).to.deep.equal([]);
    expect(history.historyOf(row('x', 0)).map((s) => s.lag)).to.deep.equal([1, 2]);
  });

  it('has no history for a subscription it never saw', () => {
    expect(new LagHistory(reader([]), 1000).historyOf(row('nobody', 0))).to.deep.equal([]);
  });
});
