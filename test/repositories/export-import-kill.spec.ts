import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, importEvents } from '../../src';
import { ReportLine, ReportingChild } from '../support/reporting-child';
import { connectStore, disposeStore, tableCounts } from '../support/stores';
import { exportAll, expectSameStore, fillTruncatedSource, fromArray } from './export-import-helpers';

interface ChunkLine extends ReportLine {
  records: number;
  written: number;
}

describe('import killed mid-way (SIGKILL) and run again', function () {
  this.timeout(120_000);
  let source: EventStore;
  let target: EventStore;
  const dir = mkdtempSync(join(tmpdir(), 'es-import-kill-'));
  const file = join(dir, 'source.ndjson');

  before(async () => {
    source = await connectStore('kill_source');
    await fillTruncatedSource(source, 400);
    writeFileSync(file, `${(await exportAll(source)).map((r) => JSON.stringify(r)).join('\n')}\n`);
  });
  after(async () => {
    await disposeStore(source);
    await disposeStore(target);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with exactly the source store: every field, the order of $all and of each stream', async () => {
    target = await connectStore('kill_target');
    const records = (await exportAll(source)).length;
    const child = new ReportingChild<ChunkLine>(join(__dirname, 'import-child.ts'), {
      TEST_DATABASE_URL: process.env.TEST_DATABASE_URL!, CHILD_SCHEMA: target.schema, CHILD_FILE: file, CHILD_CHUNK: '40',
    });
    // Killed right after its third commit: in the middle of the fourth chunk.
    for (const deadline = Date.now() + 60_000; child.lines.filter((l) => l.type === 'chunk').length < 3;) {
      if (Date.now() > deadline || child.has('done')) throw new Error(`no third chunk: ${JSON.stringify(child.lines)}`);
      void child.ready; // throws if the child failed
      await new Promise((resolve) => setImmediate(resolve));
    }
    child.kill();
    await child.exited;
    const committed = child.lines.filter((l) => l.type === 'chunk').pop()!;
    expect(committed.records).to.be.lessThan(records);
    // Whole chunks only: what the child committed, no more.
    const counts = await tableCounts(target.schema);
    expect(counts.events + counts.stream_links).to.be.at.most(committed.records);

    const resumed = await importEvents(target, fromArray(await exportAll(source)), { chunkSize: 40 });
    expect(resumed.records).to.equal(records);
    expect(resumed.skipped).to.be.at.least(committed.written);
    expect(resumed.written + resumed.skipped).to.equal(records);
    await expectSameStore(target, source);
    const positions = (await target.readAllForward(0, 100_000)).map((e) => e.position);
    expect(new Set(positions).size).to.equal(positions.length);
  });
});
