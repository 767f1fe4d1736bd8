/**
 * G2 and G3 with a caller transaction held open for seconds: appends to
 * other streams are not blocked and reach `$all` meanwhile; the held
 * transaction's events reach `$all` right after its commit, woken by its
 * notification (the store's safety timer is off here, so nothing else
 * could have sequenced them). A sequencer lock held to the caller's commit
 * (the counter-row design) must fail the same scenario.
 */
import { expect } from 'chai';
import { EventStore, ExpectedVersion } from '../../src';
import { connectStore, disposeStore, events } from '../support/stores';
import { AllReader } from './support/all-reader';
import { installLockHeldToCommit } from './support/broken-orderings';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOLD_MS = 2500;

interface HeldReport {
  /** How long each append to another stream took while the transaction was open. */
  durations: number[];
  /** Events of other streams seen in `$all` while the transaction was still open. */
  deliveredWhileHeld: number;
  /** Milliseconds from the held commit until its events were in `$all`. */
  heldVisibleAfterMs: number;
  heldAfterOthers: boolean;
}

/** A caller transaction appends and stays open; others append meanwhile; it commits after HOLD_MS. */
async function holdTransaction(store: EventStore, label: string): Promise<HeldReport> {
  const reader = new AllReader(store);
  await reader.startAtEnd();
  const em = store.orm.em.fork();
  await em.begin();
  await store.appendToStream(`${label}-held`, ExpectedVersion.NoStream, events(3, 'Held'), { em });
  let committedAt = 0;
  const commit = sleep(HOLD_MS).then(async () => {
    await em.commit();
    committedAt = Date.now();
  });

  const durations: number[] = [];
  let deliveredWhileHeld = 0;
  for (let i = 0; i < 10 && committedAt === 0; i++) {
    const started = Date.now();
    await store.appendToStream(`${label}-other-${i}`, ExpectedVersion.NoStream, events(2, 'Other'));
    durations.push(Date.now() - started);
    await reader.drain();
    if (committedAt === 0) deliveredWhileHeld = reader.seen.length;
    await sleep(100);
  }
  await commit;

  const held = () => reader.seen.filter((e) => e.streamId === `${label}-held`);
  while (held().length < 3 && Date.now() - committedAt < 3000) {
    await reader.readPage();
    await sleep(5);
  }
  const others = reader.seen.filter((e) => e.streamId !== `${label}-held`);
  return {
    durations,
    deliveredWhileHeld,
    heldVisibleAfterMs: held().length === 3 ? Date.now() - committedAt : Infinity,
    heldAfterOthers: held().length === 3 && held()[0].position > Math.max(...others.map((e) => e.position)),
  };
}

describe('$all ordering: a caller transaction held open (G2, G3)', function () {
  this.timeout(30_000);

  describe('with the sequencer', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('order_long', { sequencerIntervalMs: 0 });
    });
    after(() => disposeStore(store));

    it('blocks no other append, holds back no delivery, and follows them at once after its commit', async () => {
      const report = await holdTransaction(store, 'g2');
      expect(report.durations).to.have.length.greaterThan(5);
      expect(Math.max(...report.durations), 'an append waited for the held transaction').to.be.lessThan(1000);
      expect(report.deliveredWhileHeld).to.be.greaterThan(10);
      expect(report.heldAfterOthers).to.equal(true);
      expect(report.heldVisibleAfterMs, 'sequenced on notification, not on a timer').to.be.lessThan(1000);
    });

    it('a rolled-back caller transaction leaves nothing in $all and holds nothing back', async () => {
      const reader = new AllReader(store);
      await reader.startAtEnd();
      const em = store.orm.em.fork();
      await em.begin();
      await store.appendToStream('rolled-back', ExpectedVersion.NoStream, events(3), { em });
      await store.appendToStream('after-rollback', ExpectedVersion.NoStream, events(1));
      await em.rollback();
      await store.appendToStream('after-rollback', 1, events(1));
      await reader.drain();
      expect(reader.seen.map((e) => `${e.streamId}@${e.streamVersion}`)).to.deep.equal(['after-rollback@1', 'after-rollback@2']);
    });
  });

  describe('negative control: the sequencer lock held until the caller commits', () => {
    let store: EventStore;
    before(async () => {
      store = await connectStore('order_lock', { sequencerIntervalMs: 0 });
      await installLockHeldToCommit(store);
    });
    after(() => disposeStore(store));

    it('the same scenario catches the blocked appends and the held-back delivery', async () => {
      const report = await holdTransaction(store, 'ctl');
      expect(Math.max(...report.durations)).to.be.greaterThan(1500);
      expect(report.deliveredWhileHeld).to.equal(0);
    });
  });
});
