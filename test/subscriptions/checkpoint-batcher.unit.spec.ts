import { expect } from 'chai';
import { CheckpointBatcher } from '../../src/subscriptions/checkpoint-batcher';
import type { SubscriptionRows } from '../../src/subscriptions/subscription-rows';
import { waitUntil } from '../support/wait';

type Write = { id: number; epoch: number; position: number };

/** Subscription rows that record each statement's writes; rows whose epoch is in `deposed` do not move. */
function fakeRows() {
  const statements: Write[][] = [];
  const state = { deposed: new Set<string>(), fail: undefined as Error | undefined, hold: undefined as Promise<void> | undefined };
  const rows = {
    async checkpointMany(writes: ReadonlyArray<Write>): Promise<Set<string>> {
      statements.push(writes.map((w) => ({ ...w })));
      if (state.hold) await state.hold;
      if (state.fail) throw state.fail;
      return new Set(writes.map((w) => `${w.id}:${w.epoch}`).filter((key) => !state.deposed.has(key)));
    },
  };
  return { rows: rows as unknown as SubscriptionRows, statements, state };
}

describe('CheckpointBatcher', () => {
  it('sends the writes of one turn of the event loop as one statement', async () => {
    const { rows, statements } = fakeRows();
    const batcher = new CheckpointBatcher(rows);
    const moved = await Promise.all([
      batcher.write({ id: 1, epoch: 1 }, 10),
      batcher.write({ id: 2, epoch: 4 }, 20),
      batcher.write({ id: 3, epoch: 1 }, 30),
    ]);
    expect(moved).to.deep.equal([true, true, true]);
    expect(statements).to.deep.equal([[
      { id: 1, epoch: 1, position: 10 },
      { id: 2, epoch: 4, position: 20 },
      { id: 3, epoch: 1, position: 30 },
    ]]);
  });

  it('writes the highest position once for several writes of one claim', async () => {
    const { rows, statements } = fakeRows();
    const batcher = new CheckpointBatcher(rows);
    await Promise.all([batcher.write({ id: 1, epoch: 2 }, 7), batcher.write({ id: 1, epoch: 2 }, 9), batcher.write({ id: 1, epoch: 2 }, 8)]);
    expect(statements).to.deep.equal([[{ id: 1, epoch: 2, position: 9 }]]);
  });

  it('keeps the writes of two epochs of one row apart', async () => {
    const { rows, statements, state } = fakeRows();
    state.deposed.add('1:1');
    const batcher = new CheckpointBatcher(rows);
    const moved = await Promise.all([batcher.write({ id: 1, epoch: 1 }, 5), batcher.write({ id: 1, epoch: 2 }, 6)]);
    expect(moved, 'the old epoch is no longer the owner').to.deep.equal([false, true]);
    expect(statements[0]).to.have.length(2);
  });

  it('gathers the writes asked for while a statement is on its way into the next one', async () => {
    const { rows, statements, state } = fakeRows();
    let release!: () => void;
    state.hold = new Promise((resolve) => (release = resolve));
    const batcher = new CheckpointBatcher(rows);
    const first = batcher.write({ id: 1, epoch: 1 }, 1);
    await waitUntil(() => statements.length === 1, 'the first statement is sent', 1000);
    const later = [batcher.write({ id: 1, epoch: 1 }, 2), batcher.write({ id: 2, epoch: 1 }, 3)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(statements, 'nothing more is sent while one is on its way').to.have.length(1);
    state.hold = undefined;
    release();
    expect(await Promise.all([first, ...later])).to.deep.equal([true, true, true]);
    expect(statements).to.deep.equal([
      [{ id: 1, epoch: 1, position: 1 }],
      [{ id: 1, epoch: 1, position: 2 }, { id: 2, epoch: 1, position: 3 }],
    ]);
  });

  it('rejects every write of a failed statement, and carries on with the next ones', async () => {
    const { rows, state } = fakeRows();
    state.fail = new Error('connection lost');
    const batcher = new CheckpointBatcher(rows);
    const results = await Promise.allSettled([batcher.write({ id: 1, epoch: 1 }, 1), batcher.write({ id: 2, epoch: 1 }, 2)]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).to.equal('connection lost');
    state.fail = undefined;
    expect(await batcher.write({ id: 1, epoch: 1 }, 3)).to.equal(true);
  });
});
