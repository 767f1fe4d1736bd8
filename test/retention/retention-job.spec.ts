import { expect } from 'chai';
import { EventStore, ExpectedVersion, InvalidArgumentError, StreamDeletedError, StreamNotFoundError } from '../../src';
import { join } from 'node:path';
import { runBin } from '../cli/cli-runner';
import { ReportLine, ReportingChild } from '../support/reporting-child';
import { caught, connectStore, disposeStore, events, withClient } from '../support/stores';
import { refusedWithoutWrites } from './helpers';

const versions = async (store: EventStore, id: string) => (await store.readStreamForward(id)).map((e) => e.eventNumber);
interface PassLine extends ReportLine {
  removed: number;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('per-stream retention limits and the retention job', function () {
  this.timeout(60_000);
  let store: EventStore;
  let k = 0;
  const stream = (name: string) => `${name}-${++k}`;

  before(async () => {
    store = await connectStore('retention_job');
  });
  after(() => disposeStore(store));

  /** Makes the stream's events of versions `from..to` `ms` older. */
  async function age(id: string, from: number, to: number, ms: number): Promise<void> {
    await withClient((c) => c.query(
      `update "${store.schema}".events e set created_at = e.created_at - $4 * interval '1 millisecond'
       from "${store.schema}".streams s where s.id = e.stream_ref and s.stream_id = $1 and e.stream_version between $2 and $3`,
      [id, from, to, ms]));
  }

  describe('setStreamRetention / getStreamRetention / removeStreamRetention', () => {
    it('stores, replaces and clears the limits; truncatedBefore is kept', async () => {
      const id = stream('limits');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(3));
      expect(await store.getStreamRetention(id)).to.deep.equal({ maxCount: null, maxAgeMs: null, truncatedBefore: 1 });
      await store.setStreamRetention(id, { maxCount: 10 });
      expect(await store.getStreamRetention(id)).to.deep.equal({ maxCount: 10, maxAgeMs: null, truncatedBefore: 1 });
      await store.setStreamRetention(id, { maxAgeMs: 60_000 });
      expect(await store.getStreamRetention(id)).to.deep.equal({ maxCount: null, maxAgeMs: 60_000, truncatedBefore: 1 });
      await store.truncateStream(id, 2);
      await store.removeStreamRetention(id);
      expect(await store.getStreamRetention(id)).to.deep.equal({ maxCount: null, maxAgeMs: null, truncatedBefore: 2 });
    });

    describe('bad input (typed errors, nothing written)', () => {
      let id: string;
      let deleted: string;
      before(async () => {
        id = stream('bad');
        deleted = stream('bad-deleted');
        await store.appendToStream(id, ExpectedVersion.NoStream, events(1));
        await store.appendToStream(deleted, ExpectedVersion.NoStream, events(1));
        await store.deleteStream(deleted, 1);
      });

      const refused = (attempt: () => Promise<unknown>) => refusedWithoutWrites(store.schema, attempt);

      it('unknown and soft-deleted streams', async () => {
        expect(await refused(() => store.setStreamRetention(stream('nobody'), { maxCount: 1 }))).to.be.instanceOf(StreamNotFoundError);
        expect(await refused(() => store.setStreamRetention(deleted, { maxCount: 1 }))).to.be.instanceOf(StreamDeletedError);
        expect(await caught(store.getStreamRetention(stream('nobody')))).to.be.instanceOf(StreamNotFoundError);
        expect(await caught(store.getStreamRetention(deleted))).to.be.instanceOf(StreamDeletedError);
        expect(await refused(() => store.removeStreamRetention(stream('nobody')))).to.be.instanceOf(StreamNotFoundError);
      });

      const badLimits: Array<[string, unknown, string]> = [
        ['no limit', {}, 'limits'],
        ['null', null, 'limits'],
        ['an array', [], 'limits'],
        ['maxCount 0', { maxCount: 0 }, 'limits.maxCount'],
        ['maxCount 1.5', { maxCount: 1.5 }, 'limits.maxCount'],
        ['maxCount "5"', { maxCount: '5' }, 'limits.maxCount'],
        ['maxAgeMs -1', { maxAgeMs: -1 }, 'limits.maxAgeMs'],
        ['an unknown key (maxAge)', { maxAge: 1000 }, 'limits'],
      ];
      for (const [what, limits, argument] of badLimits) {
        it(`limits: ${what}`, async () => {
          const error = await refused(() => store.setStreamRetention(id, limits as never));
          expect(error).to.be.instanceOf(InvalidArgumentError).and.to.include({ argument });
        });
      }

      it('job options', async () => {
        for (const options of [{ batchSize: 0 }, { intervalMs: 1.5 }, { streamsPerClaim: -1 }, { batch: 3 }, 'fast']) {
          expect(await refused(() => store.enforceRetention(options as never))).to.be.instanceOf(InvalidArgumentError);
          expect(await caught(store.startRetentionJob(options as never))).to.be.instanceOf(InvalidArgumentError);
        }
      });
    });
  });

  it('keeps the last maxCount versions, removing in batches; streams without limits keep everything', async () => {
    const trimmed = stream('count');
    const untouched = stream('untouched');
    await store.appendToStream(trimmed, ExpectedVersion.NoStream, events(23));
    await store.appendToStream(untouched, ExpectedVersion.NoStream, events(23));
    await store.setStreamRetention(trimmed, { maxCount: 5 });
    const report = await store.enforceRetention({ batchSize: 4 });
    expect(report.removed).to.equal(18);
    expect(await versions(store, trimmed)).to.deep.equal(range(19, 23));
    expect(await versions(store, untouched)).to.deep.equal(range(1, 23));
    expect((await store.getStreamRetention(trimmed)).truncatedBefore).to.equal(19);
    // Nothing more to do.
    expect((await store.enforceRetention()).removed).to.equal(0);
  });

  it('maxAgeMs removes the events older than the limit, oldest first, up to the first young one', async () => {
    const id = stream('age');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(6));
    await age(id, 1, 4, 3_600_000);
    await age(id, 6, 6, 3_600_000); // old again after a young one: kept (only a prefix goes)
    await store.setStreamRetention(id, { maxAgeMs: 60_000 });
    await store.enforceRetention();
    expect(await versions(store, id)).to.deep.equal([5, 6]);

    // Every event old: all go; the version stays.
    await age(id, 5, 5, 3_600_000);
    await store.enforceRetention();
    expect(await versions(store, id)).to.deep.equal([]);
    expect((await store.streamInfo(id)).streamVersion).to.equal(6);
  });

  it('both limits: the stricter wins', async () => {
    const id = stream('both');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(10));
    await age(id, 1, 2, 3_600_000);
    await store.setStreamRetention(id, { maxCount: 5, maxAgeMs: 60_000 });
    await store.enforceRetention();
    expect(await versions(store, id)).to.deep.equal(range(6, 10));
    await age(id, 6, 8, 3_600_000);
    await store.enforceRetention();
    expect(await versions(store, id)).to.deep.equal([9, 10]);
  });

  it('runs in the background from startRetentionJob until stopped', async () => {
    const id = stream('background');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(4));
    await store.setStreamRetention(id, { maxCount: 2 });
    const job = await store.startRetentionJob({ intervalMs: 20, batchSize: 1 });
    try {
      await waitFor(async () => (await versions(store, id)).join() === '3,4');
      await store.appendToStream(id, 4, events(3));
      await waitFor(async () => (await versions(store, id)).join() === '6,7');
    } finally {
      await job.stop();
    }
    expect(job.isRunning).to.equal(false);
    await store.appendToStream(id, 7, events(2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await versions(store, id)).to.deep.equal([6, 7, 8, 9]);
    await store.removeStreamRetention(id);
  });

  it('runs from EventStore.connect({ retentionJob }) and stops with close()', async () => {
    const other = await EventStore.connect({ clientUrl: process.env.TEST_DATABASE_URL, schema: store.schema, retentionJob: { intervalMs: 20 } });
    try {
      const id = stream('connect');
      await store.appendToStream(id, ExpectedVersion.NoStream, events(5));
      await store.setStreamRetention(id, { maxCount: 1 });
      await waitFor(async () => (await versions(store, id)).join() === '5');
    } finally {
      await other.close();
    }
  });

  it('two processes and this one running the job at once, during appends, remove every event beyond the limits exactly once', async () => {
    const children = [1, 2].map(() => new ReportingChild<PassLine>(join(__dirname, 'retention-child.ts'),
      { TEST_DATABASE_URL: process.env.TEST_DATABASE_URL!, CHILD_SCHEMA: store.schema }));
    const removedHere: number[] = [];
    try {
      await waitFor(async () => children.every((child) => child.ready), 30_000);
      const ids = range(1, 16).map(() => stream('shared'));
      // Appends in batches of 5 while all three trim.
      let trimming = true;
      const here = (async () => {
        while (trimming) removedHere.push((await store.enforceRetention({ batchSize: 2, streamsPerClaim: 2 })).removed);
      })();
      await Promise.all(ids.map(async (id) => {
        await store.appendToStream(id, ExpectedVersion.NoStream, events(5));
        await store.setStreamRetention(id, { maxCount: 3 });
        for (let version = 5; version < 60; version += 5) await store.appendToStream(id, version, events(5, 'TestEvent', version + 1));
      }));
      await waitFor(async () => (await Promise.all(ids.map((id) => versions(store, id)))).every((v) => v.join() === '58,59,60'));
      trimming = false;
      await here;
      await Promise.all(children.map((child) => child.stop()));
      for (const id of ids) {
        expect(await versions(store, id)).to.deep.equal([58, 59, 60]);
        expect((await store.streamInfo(id)).streamVersion).to.equal(60);
      }
      const byChild = children.map((child) => child.lines.filter((l) => l.type === 'pass').reduce((sum, l) => sum + l.removed, 0));
      const total = byChild.reduce((a, b) => a + b, 0) + removedHere.reduce((a, b) => a + b, 0);
      expect(total, `removed by the children ${byChild.join(', ')}`).to.equal(16 * 57);
      expect(byChild.every((removed) => removed > 0), `each child trimmed some: ${byChild.join(', ')}`).to.equal(true);
    } finally {
      for (const child of children) child.kill();
    }
  });

  it('CLI: retention run trims to the limits and says what it did', async () => {
    const id = stream('cli');
    await store.appendToStream(id, ExpectedVersion.NoStream, events(9));
    await store.setStreamRetention(id, { maxCount: 2 });
    const result = await runBin(['retention', 'run', '--schema', store.schema, '--batch-size', '3']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^retention: \d+ streams? with limits, 1 trimmed, 7 events and links removed\n$/);
    expect(await versions(store, id)).to.deep.equal([8, 9]);
  });

  it('CLI: retention run refuses a bad --batch-size before connecting', async () => {
    const result = await runBin(['retention', 'run', '--schema', store.schema, '--batch-size', '0']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('error: --batch-size: expected an integer >= 1, got 0\n');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
