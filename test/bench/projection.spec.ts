import { expect } from 'chai';
import {
  ACCOUNTS,
  accountOf,
  BalanceTotals,
  balanceAccountId,
  creditEvents,
  creditsUpTo,
  NOTED_TYPE,
  expectedTotals,
  totalsMismatch,
} from '../../bench/contenders/balances';
import { EVENT_DATA, EVENT_DATA_BYTES, EVENT_TYPE } from '../../bench/fixtures';
import { EVERY } from '../../bench/workloads/projection-filtered';
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

  it('builds the filtered log with a credit every 20 events, and counts the credits up to any checkpoint', () => {
    const events = creditEvents(0, 100, 'v4', EVERY);
    expect(events.filter((e) => e.eventType === EVENT_TYPE).length).to.equal(5);
    expect(events.filter((e) => e.eventType === NOTED_TYPE).length).to.equal(95);
    expect(events[0].eventType).to.equal(EVENT_TYPE);
    const filtered = expectedTotals(10_000, EVERY);
    expect(filtered.events).to.equal(500);
    expect(filtered.checkpoint).to.equal(10_000);
    expect(creditsUpTo(21, EVERY)).to.equal(2);
    expect(totalsMismatch({ ...filtered, checkpoint: 4000, lag: 6000, events: 200, amount: 200 * EVENT_DATA.amount, rows: 150 }, filtered, EVERY)).to.equal(null);
    expect(totalsMismatch({ ...filtered, events: 501, amount: 501 * EVENT_DATA.amount }, filtered, EVERY)).to.match(/^501 events counted at checkpoint 10000, expected 500/);
    expect(workloadByKey('projection-filtered').skip?.['hand-sql']).to.match(/within the library/);
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

  it('runs each projection workload on a database of its own, with a time cap, shorter in the quick profile', () => {
    for (const key of ['projection-catch-up', 'projection-find-one', 'projection-set-based', 'projection-filtered']) {
      expect(workloadByKey(key).ownDatabase, key).to.equal(true);
      expect(workloadByKey(key).levels(profileFor(false)), key).to.deep.equal([1]);
    }
    const workload = workloadByKey('projection-catch-up');
    const quick = profileFor(true);
    const full = profileFor(false);
    expect(workload.ownDatabase).to.equal(true);
    expect(workload.levels(full)).to.deep.equal([1]);
    expect(workload.skip?.emmett).to.match(/concurrent writers/);
    expect(full.projection.events).to.equal(50_000);
    expect(quick.projection.events).to.equal(20_000);
    expect(quick.projection.capMs).to.be.below(full.projection.capMs);
    expect(databaseName('library')).to.equal('bench_lib');
    expect(databaseName('hand-sql', 'projection-catch-up')).to.equal('bench_hand_projection_catch_up');
    expect(databaseName('emmett', 'a-b c')).to.equal('bench_emmett_a_b_c');
  });
});
