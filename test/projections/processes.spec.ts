import { expect } from 'chai';
import { EventStore } from '../../src';
import { ReportLine, ReportingChild } from '../support/reporting-child';
import { disposeStore } from '../support/stores';
import { checkpointOf } from '../subscriptions/helpers';
import { Deposited } from './fixtures';
import { appendEvents, projectionStore, rows, sleep, waitUntil } from './helpers';

interface Line extends ReportLine {
  type: 'ready' | 'state' | 'applied' | 'hanging' | 'error' | 'stopped' | 'fatal';
  state?: string;
  position?: number;
  message?: string;
}

/** A process running test/support/projection-child.ts, and what it reported. */
class Child extends ReportingChild<Line> {
  constructor(env: Record<string, string>) {
    super('test/support/projection-child.ts', env);
  }

  get state(): string | undefined {
    return [...this.lines].reverse().find((l) => l.type === 'state')?.state;
  }

  errors(): string[] {
    return this.lines.filter((l) => l.type === 'error').map((l) => l.message!);
  }
}

describe('projections in several processes', function () {
  this.timeout(90_000);
  let store: EventStore;
  const children: Child[] = [];

  before(async () => {
    store = await projectionStore('proj_procs');
  });
  after(async () => {
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => child.exited));
    await disposeStore(store);
  });

  it('runs a projection in one of two processes; killed -9 inside a batch, the other resumes at the checkpoint and every event is applied once', async () => {
    const deposits = 60;
    // A applies slowly, and stops for good inside the batch that holds the 25th event.
    const hangAt = 25;
    const a = new Child({ CHILD_SCHEMA: store.schema, CHILD_NAME: 'A', CHILD_DELAY_MS: '2', CHILD_HANG_AT: String(hangAt) });
    children.push(a);
    await waitUntil(() => a.ready, 'A started', 60_000);
    const b = new Child({ CHILD_SCHEMA: store.schema, CHILD_NAME: 'B' });
    children.push(b);
    await waitUntil(() => b.ready, 'B started', 60_000);
    expect(b.state).to.equal('standby');

    let appended = 0;
    const appending = (async () => {
      for (; appended < deposits; appended++) {
        await appendEvents(store, `acc-${appended % 5}`, [new Deposited(`acc-${appended % 5}`, appended)]);
        await sleep(3);
      }
    })();
    await waitUntil(() => a.has('hanging'), 'A hangs inside a batch', 30_000);

    // Inside the batch: A wrote rows after its checkpoint, but none of them is visible.
    const checkpoint = (await checkpointOf(store.schema, '$all', 'projection:spec-applied-log'))!;
    expect(checkpoint).to.be.below(hangAt);
    expect(a.lines.filter((l) => l.type === 'applied' && l.position! > checkpoint).length, 'A applied events after its checkpoint').to.be.above(0);
    const visible = await rows<{ position: string }>(store.schema, 'proj_applied_events', 'position');
    expect(visible.map((r) => Number(r.position))).to.deep.equal(Array.from({ length: checkpoint }, (_, i) => i + 1));
    expect(b.has('applied'), 'the standby applied nothing').to.equal(false);

    a.kill();
    await a.exited;
    await appending;
    await waitUntil(async () => (await checkpointOf(store.schema, '$all', 'projection:spec-applied-log')) === deposits, 'B applied the last event', 30_000);

    const applied = await rows<{ position: string; applied_by: string }>(store.schema, 'proj_applied_events', 'position');
    expect(applied.map((r) => Number(r.position))).to.deep.equal(Array.from({ length: deposits }, (_, i) => i + 1));
    expect(applied.filter((r) => r.applied_by === 'A').map((r) => Number(r.position))).to.deep.equal(Array.from({ length: checkpoint }, (_, i) => i + 1));
    // B began right after A's checkpoint.
    expect(b.lines.find((l) => l.type === 'applied')?.position).to.equal(checkpoint + 1);
    expect(b.errors()).to.deep.equal([]);
    expect(await b.stop()).to.equal(0);
  });
});
