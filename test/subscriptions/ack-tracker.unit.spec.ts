import { expect } from 'chai';
import { AckTracker } from '../../src/subscriptions/ack-tracker';

describe('AckTracker', () => {
  it('starts at its start, and stays there while nothing was read', () => {
    expect(new AckTracker(0).checkpoint).to.equal(0);
    expect(new AckTracker(41).checkpoint).to.equal(41);
  });

  it('moves up to just before the first unacknowledged event', () => {
    const tracker = new AckTracker(0);
    tracker.read([1, 2, 3], 3);
    expect(tracker.checkpoint).to.equal(0);
    tracker.ack(1);
    expect(tracker.checkpoint).to.equal(1);
    tracker.ack(2);
    tracker.ack(3);
    expect(tracker.checkpoint).to.equal(3);
  });

  it('never passes an event still unacknowledged, however many later ones are', () => {
    const tracker = new AckTracker(0);
    tracker.read([1, 2, 3, 4], 4);
    tracker.ack(4);
    tracker.ack(3);
    tracker.ack(2);
    expect(tracker.checkpoint).to.equal(0);
    tracker.ack(1);
    expect(tracker.checkpoint).to.equal(4);
  });

  it('counts events the selector skipped and gaps in the numbering as done', () => {
    const tracker = new AckTracker(10);
    // Read 11..20; only 12 and 17 go to the handler.
    tracker.read([12, 17], 20);
    expect(tracker.checkpoint).to.equal(11);
    tracker.ack(12);
    expect(tracker.checkpoint).to.equal(16);
    tracker.ack(17);
    expect(tracker.checkpoint).to.equal(20);
  });

  it('reaches the last number read when a page held nothing for the handler', () => {
    const tracker = new AckTracker(5);
    tracker.read([], 9);
    expect(tracker.checkpoint).to.equal(9);
  });

  it('ignores acknowledgements of numbers it never handed out', () => {
    const tracker = new AckTracker(0);
    tracker.read([2, 4], 4);
    tracker.ack(3);
    tracker.ack(100);
    expect(tracker.checkpoint).to.equal(1);
    tracker.ack(2);
    expect(tracker.checkpoint).to.equal(3);
  });

  it('keeps its answer over many reads (its list is compacted as it goes)', () => {
    const tracker = new AckTracker(0);
    for (let page = 0; page < 10; page++) {
      const kept = Array.from({ length: 500 }, (_, i) => page * 500 + i + 1);
      tracker.read(kept, kept[kept.length - 1]);
      for (const n of kept) tracker.ack(n);
      expect(tracker.checkpoint).to.equal(kept[kept.length - 1]);
    }
    tracker.read([5001, 5002], 5002);
    tracker.ack(5002);
    expect(tracker.checkpoint).to.equal(5000);
  });
});
