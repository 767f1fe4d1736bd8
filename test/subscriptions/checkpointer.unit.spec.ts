import { expect } from 'chai';
import { Checkpointer, CheckpointerOptions } from '../../src/subscriptions/checkpointer';
import { sleep, waitUntil } from '../support/wait';

/** A checkpointer whose writes are recorded; `failNext` makes the next writes throw. */
function checkpointer(start: number, options: Partial<CheckpointerOptions> = {}) {
  const written: number[] = [];
  const errors: Error[] = [];
  const control = { failNext: 0, writing: 0, overlapped: false, release: undefined as undefined | (() => void), hold: false };
  const cp = new Checkpointer(start, {
    threshold: 1,
    afterMs: 0,
    retryDelayMs: () => 5,
    onError: (error) => errors.push(error),
    write: async (position) => {
      if (control.writing > 0) control.overlapped = true;
      control.writing++;
      try {
        if (control.hold) await new Promise<void>((resolve) => (control.release = resolve));
        if (control.failNext > 0) {
          control.failNext--;
          throw new Error('connection lost');
        }
        written.push(position);
      } finally {
        control.writing--;
      }
    },
    ...options,
  });
  return { cp, written, errors, control };
}

describe('Checkpointer', () => {
  it('writes at once with a threshold of 1, and the acknowledgement resolves after the write', async () => {
    const { cp, written } = checkpointer(0);
    await cp.acknowledged(1, 1);
    expect(written).to.deep.equal([1]);
    await cp.acknowledged(3, 2);
    expect(written).to.deep.equal([1, 3]);
  });

  it('waits for `threshold` acknowledged events, then writes the newest candidate', async () => {
    const { cp, written } = checkpointer(0, { threshold: 3 });
    await cp.acknowledged(1, 1);
    await cp.acknowledged(2, 1);
    expect(written).to.deep.equal([]);
    await cp.acknowledged(5, 1);
    expect(written).to.deep.equal([5]);
    await cp.acknowledged(6, 1);
    expect(written, 'the count starts again after a write').to.deep.equal([5]);
  });

  it('writes nothing for a candidate that is not ahead of what is stored', async () => {
    const { cp, written } = checkpointer(10);
    await cp.acknowledged(10, 4);
    await cp.acknowledged(7, 1);
    await cp.flush();
    await cp.close();
    expect(written).to.deep.equal([]);
  });

  it('never moves the candidate back', async () => {
    const { cp, written } = checkpointer(0, { threshold: 10 });
    await cp.acknowledged(8, 1);
    await cp.acknowledged(3, 1);
    await cp.flush();
    expect(written).to.deep.equal([8]);
  });

  it('writes a pending candidate `afterMs` after an acknowledgement when the threshold is not reached', async () => {
    const { cp, written } = checkpointer(0, { threshold: 100, afterMs: 10 });
    await cp.acknowledged(4, 1);
    expect(written).to.deep.equal([]);
    await waitUntil(() => written.length === 1, 'the timed write happened', 1000);
    expect(written).to.deep.equal([4]);
  });

  it('writes nothing without a threshold hit, a timer, flush or close', async () => {
    const { cp, written } = checkpointer(0, { threshold: 100, afterMs: 0 });
    await cp.acknowledged(4, 1);
    await sleep(20);
    expect(written).to.deep.equal([]);
    await cp.close();
    expect(written).to.deep.equal([4]);
  });

  it('never overlaps two writes, and the later one carries the newest candidate', async () => {
    const { cp, written, control } = checkpointer(0);
    control.hold = true;
    const first = cp.acknowledged(1, 1);
    await waitUntil(() => control.release !== undefined, 'the first write started', 1000);
    const second = cp.acknowledged(2, 1);
    const third = cp.acknowledged(3, 1);
    control.hold = false;
    control.release!();
    await Promise.all([first, second, third]);
    expect(control.overlapped).to.equal(false);
    // The queued writes each take the newest candidate: 3 once, then nothing more to write.
    expect(written).to.deep.equal([1, 3]);
  });

  it('reports a failed write and tries again after the retry delay', async () => {
    const { cp, written, errors, control } = checkpointer(0);
    control.failNext = 1;
    await cp.acknowledged(2, 2);
    expect(written).to.deep.equal([]);
    expect(errors.map((e) => e.message)).to.deep.equal(['connection lost']);
    await waitUntil(() => written.length === 1, 'the retried write happened', 1000);
    expect(written).to.deep.equal([2]);
  });

  it('keeps the failed write\'s events pending: the next acknowledgement reaches the threshold again', async () => {
    const { cp, written, control } = checkpointer(0, { threshold: 2, retryDelayMs: () => 60_000 });
    control.failNext = 1;
    await cp.acknowledged(2, 2);
    expect(written).to.deep.equal([]);
    await cp.acknowledged(3, 1);
    expect(written).to.deep.equal([3]);
    await cp.close();
  });

  it('makes a last write on close, then ignores acknowledgements', async () => {
    const { cp, written } = checkpointer(0, { threshold: 100 });
    await cp.acknowledged(5, 1);
    await cp.close();
    expect(written).to.deep.equal([5]);
    await cp.acknowledged(9, 100);
    await sleep(10);
    expect(written).to.deep.equal([5]);
  });

  it('does not report the last write\'s failure when closed quietly, nor retry it', async () => {
    const { cp, written, errors, control } = checkpointer(0, { threshold: 100 });
    await cp.acknowledged(5, 1);
    control.failNext = 1;
    await cp.close({ quiet: true });
    await sleep(20);
    expect(errors).to.deep.equal([]);
    expect(written).to.deep.equal([]);
  });

  it('reports the last write\'s failure on an ordinary close', async () => {
    const { cp, errors, control } = checkpointer(0, { threshold: 100 });
    await cp.acknowledged(5, 1);
    control.failNext = 1;
    await cp.close();
    expect(errors).to.have.length(1);
  });
});
