import { expect } from 'chai';
import type { Logger } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/postgresql';
import type { Lsn } from '../../src/replication/lsn';
import { OwnWrites } from '../../src/replication/own-writes';
import type { ReadRouter } from '../../src/replication/read-router';
import { ReplayGate } from '../../src/replication/replay-gate';
import { waitUntil } from '../support/wait';

/** The primary's WAL position, counted questions, and an answer that can be held back. */
function primary() {
  const state = { lsn: 100n, asked: 0, hold: undefined as Promise<void> | undefined, fail: false };
  const primaryLsn = async (): Promise<Lsn> => {
    state.asked++;
    const lsn = state.lsn;
    if (state.hold) await state.hold;
    if (state.fail) throw new Error('primary unreachable');
    return lsn;
  };
  return { state, primaryLsn };
}

/** A caller's transaction (or a savepoint inside one). */
function transaction(parent?: { done: boolean }) {
  const t = { done: false, isCompleted: () => t.done, parentTransaction: parent as unknown };
  return t;
}

describe('OwnWrites: read your writes on a standby', () => {
  it('asks nothing while the store wrote nothing', async () => {
    const { state, primaryLsn } = primary();
    const own = new OwnWrites(primaryLsn);
    expect(await own.target()).to.equal(-1n);
    expect(state.asked).to.equal(0);
  });

  it('asks once after writes, and reuses the answer until the next write', async () => {
    const { state, primaryLsn } = primary();
    const own = new OwnWrites(primaryLsn);
    own.wrote();
    own.wrote();
    expect(await own.target()).to.equal(100n);
    expect(await own.target()).to.equal(100n);
    expect(state.asked).to.equal(1);
    state.lsn = 250n;
    own.wrote();
    expect(await own.target()).to.equal(250n);
    expect(state.asked).to.equal(2);
  });

  it('shares one question among concurrent reads', async () => {
    const { state, primaryLsn } = primary();
    let release!: () => void;
    state.hold = new Promise((resolve) => (release = resolve));
    const own = new OwnWrites(primaryLsn);
    own.wrote();
    const reads = [own.target(), own.target(), own.target()];
    release();
    expect(await Promise.all(reads)).to.deep.equal([100n, 100n, 100n]);
    expect(state.asked).to.equal(1);
  });

  it('does not let an answer asked before a write cover that write', async () => {
    const { state, primaryLsn } = primary();
    let release!: () => void;
    state.hold = new Promise((resolve) => (release = resolve));
    const own = new OwnWrites(primaryLsn);
    own.wrote();
    const early = own.target();
    own.wrote();
    state.hold = undefined;
    state.lsn = 180n;
    const late = own.target();
    expect(await late, 'a second question, not the one on its way').to.equal(180n);
    expect(state.asked).to.equal(2);
    release();
    await early;
  });

  it('never moves its floor back', async () => {
    const { state, primaryLsn } = primary();
    const own = new OwnWrites(primaryLsn);
    own.wrote();
    await own.target();
    state.lsn = 50n;
    own.wrote();
    expect(await own.target()).to.equal(100n);
  });

  it('asks afresh for every read while a caller\'s transaction that wrote is open, and stops once it is over', async () => {
    const { state, primaryLsn } = primary();
    const own = new OwnWrites(primaryLsn);
    const outer = transaction();
    own.wrote(transaction(outer) as unknown as Knex.Transaction);
    await own.target();
    await own.target();
    expect(state.asked).to.equal(2);
    outer.done = true;
    await own.target();
    const after = state.asked;
    await own.target();
    expect(state.asked, 'the outermost transaction is over: the last answer covers it').to.equal(after);
  });
});

describe('ReplayGate: wake-ups held until the standbys replayed', () => {
  const logged: string[] = [];
  const logger = { error: (_namespace: string, message: string) => logged.push(message) } as unknown as Logger;

  function router() {
    const waits: Lsn[] = [];
    const r = { release: undefined as undefined | (() => void), waits };
    const fake = {
      replayed: (lsn: Lsn) => {
        waits.push(lsn);
        return new Promise<void>((resolve) => (r.release = resolve));
      },
    };
    return { r, fake: fake as unknown as ReadRouter };
  }

  it('runs a wake-up only once the standbys have replayed what the primary had', async () => {
    const { primaryLsn } = primary();
    const { r, fake } = router();
    const gate = new ReplayGate(primaryLsn, fake, logger);
    let woken = 0;
    gate.pass(() => woken++);
    await waitUntil(() => r.waits.length === 1, 'the gate waits on the standbys', 1000);
    expect(r.waits).to.deep.equal([100n]);
    expect(woken).to.equal(0);
    r.release!();
    await waitUntil(() => woken === 1, 'woken', 1000);
  });

  it('gathers the wake-ups that arrive meanwhile into one further wait', async () => {
    const { state, primaryLsn } = primary();
    const { r, fake } = router();
    const gate = new ReplayGate(primaryLsn, fake, logger);
    const woken: string[] = [];
    gate.pass(() => woken.push('a'));
    await waitUntil(() => r.waits.length === 1, 'first wait', 1000);
    state.lsn = 300n;
    gate.pass(() => woken.push('b'));
    gate.pass(() => woken.push('c'));
    r.release!();
    await waitUntil(() => r.waits.length === 2, 'second wait', 1000);
    expect(woken).to.deep.equal(['a']);
    expect(r.waits).to.deep.equal([100n, 300n]);
    r.release!();
    await waitUntil(() => woken.length === 3, 'b and c woken', 1000);
    expect(state.asked).to.equal(2);
  });

  it('wakes anyway, and logs, when the primary cannot say where it is', async () => {
    const { state, primaryLsn } = primary();
    state.fail = true;
    const { fake } = router();
    const gate = new ReplayGate(primaryLsn, fake, logger);
    let woken = false;
    gate.pass(() => (woken = true));
    await waitUntil(() => woken, 'woken', 1000);
    expect(logged.join()).to.match(/waiting for standby replay failed: primary unreachable/);
  });

  it('drops held wake-ups and takes no more once closed', async () => {
    const { primaryLsn } = primary();
    const { r, fake } = router();
    const gate = new ReplayGate(primaryLsn, fake, logger);
    let woken = 0;
    gate.pass(() => woken++);
    await waitUntil(() => r.waits.length === 1, 'waiting', 1000);
    gate.close();
    gate.pass(() => woken++);
    r.release!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woken).to.equal(0);
  });
});
