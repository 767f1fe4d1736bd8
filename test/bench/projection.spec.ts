import { expect } from 'chai';
import {
  ACCOUNTS,
  accountOf,
  BalanceTotals,
  balanceAccountId,
  creditEvents,
  expectedTotals,
  totalsMismatch,
} from '../../bench/contenders/balances';
import { EVENT_DATA, EVENT_DATA_BYTES } from '../../bench/fixtures';
import { profileFor } from '../../bench/profile';
import { databaseName } from '../../bench/server';
import { workloadByKey } from '../../bench/workloads';

/** What a rebuild of a 10,000-event log that stopped at `checkpoint` should leave. */
const partial = (checkpoint: number, overrides: Partial<BalanceTotals> = {}): BalanceTotals => ({
  rows: 990,
  events: checkpoint,
  amount: checkpoint * EVENT_DATA.amount,
  checkpoint,
  lag: 10_000 - checkpoint,
  ...overrides,
});

describe('projection workload', () => {
  const expected = expectedTotals(10_000);

  it("credits the fixture's event to accounts spread by a hash, keeping its 214 bytes of data", () => {
    const events = creditEvents(500, 3, 'v4');
    expect(events.map((e) => (e.data as { accountId: string }).accountId)).to.deep.equal([500, 501, 502].map((i) => balanceAccountId(accountOf(i))));
    for (const event of events) expect(JSON.stringify(event.data).length).to.equal(EVENT_DATA_BYTES);
    expect(balanceAccountId(7)).to.equal('00000000-0000-4000-8000-000000000007');
    const accounts = new Set(Array.from({ length: 50_000 }, (_, i) => accountOf(i)));
    expect(accounts.size, 'every account gets events').to.equal(ACCOUNTS);
    expect([...accounts].every((a) => a >= 0 && a < ACCOUNTS)).to.equal(true);
  });

  it('expects every account of the log once, every event counted once, and no lag after a full rebuild', () => {
    expect(expected).to.deep.equal({ rows: 1000, events: 10_000, amount: 10_000 * EVENT_DATA.amount, checkpoint: 10_000, lag: 0 });
    expect(expectedTotals(3).rows).to.equal(new Set([0, 1, 2].map(accountOf)).size);
    expect(totalsMismatch({ ...expected, amount: expected.amount + 0.004 }, expected), 'float8 of an exact numeric sum').to.equal(null);
  });

  it('refuses a rebuild that applied an event twice, missed one, or left lag behind', () => {
    expect(totalsMismatch({ ...expected, events: 10_001, amount: expected.amount + EVENT_DATA.amount }, expected))
      .to.equal(`10001 events counted at checkpoint 10000; balances sum to ${expected.amount + EVENT_DATA.amount} at checkpoint 10000, expected ${expected.amount.toFixed(2)}`);
    expect(totalsMismatch({ ...expected, rows: 999 }, expected)).to.equal('999 rows, expected 1000');
    expect(totalsMismatch({ ...expected, lag: 5 }, expected)).to.equal('lag 5 at checkpoint 10000 of 10000');
    expect(totalsMismatch({ ...expected, checkpoint: 10_001, lag: 0 }, expected)).to.match(/^checkpoint 10001 beyond the log's 10000 events/);
  });

  it('accepts a rebuild stopped at the time cap only when it holds exactly the events up to its checkpoint', () => {
    expect(totalsMismatch(partial(3000), expected)).to.equal(null);
    expect(totalsMismatch(partial(0, { rows: 0 }), expected)).to.equal(null);
    expect(totalsMismatch(partial(3000, { events: 2999 }), expected)).to.match(/^2999 events counted at checkpoint 3000/);
    expect(totalsMismatch(partial(3000, { lag: 0 }), expected)).to.equal('lag 0 at checkpoint 3000 of 10000');
    expect(totalsMismatch(partial(3000, { rows: 1001 }), expected)).to.equal('1001 rows, expected at most 1000');
  });

  it('runs one projection on a database of its own, with a time cap, shorter in the quick profile', () => {
    const workload = workloadByKey('projection');
    const quick = profileFor(true);
    const full = profileFor(false);
    expect(workload.ownDatabase).to.equal(true);
    expect(workload.levels(full)).to.deep.equal([1]);
    expect(workload.skip?.emmett).to.match(/concurrent writers/);
    expect(full.projection.events).to.equal(50_000);
    expect(quick.projection.events).to.equal(20_000);
    expect(quick.projection.capMs).to.be.below(full.projection.capMs);
    expect(databaseName('library')).to.equal('bench_lib');
    expect(databaseName('hand-sql', 'projection')).to.equal('bench_hand_projection');
    expect(databaseName('emmett', 'a-b c')).to.equal('bench_emmett_a_b_c');
  });
});
