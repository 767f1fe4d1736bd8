import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '../../src';
import { connectStore, disposeStore, tableCounts } from '../support/stores';
import { fillSource } from '../support/export-fixture';
import { runBin } from './cli-runner';

describe('cli: export and import', () => {
  let source: EventStore;
  const targets: EventStore[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'es-export-'));
  const file = join(dir, 'all.ndjson');

  before(async () => {
    source = await connectStore('cli_export');
    await fillSource(source);
  });
  after(async () => {
    await disposeStore(source);
    for (const t of targets) await disposeStore(t);
    rmSync(dir, { recursive: true, force: true });
  });

  const target = async () => { const t = await connectStore('cli_import'); targets.push(t); return t; };

  it('exports to a file and imports it into another schema: same records, same $all order', async () => {
    const exported = await runBin(['export', '--schema', source.schema, '--out', file]);
    expect(exported.code, exported.stderr).to.equal(0);
    // Not a terminal: progress is plain lines.
    expect(exported.stderr).to.contain('| 97/97 events');
    expect(exported.stdout).to.match(/^exported 97 events and 6 links to /);
    const t = await target();
    const imported = await runBin(['import', file, '--schema', t.schema, '--chunk', '25']);
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stdout).to.equal('imported 103 records, skipped 0 already present (103 read)\n');
    const again = await runBin(['export', '--schema', t.schema]);
    expect(again.stdout).to.equal(readFileSync(file, 'utf8'));
  });

  it('exports one stream to standard output', async () => {
    const result = await runBin(['export', '--schema', source.schema, '--stream', 'links-a']);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(records.map((r) => `${r.kind}:${r.streamVersion}`)).to.deep.equal(['link:1', 'link:2', 'link:3', 'event:4', 'link:5', 'link:6', 'link:7']);
  });

  it('resumes after a stop: a prefix, then the whole file, writes each record once', async () => {
    const all = readFileSync(file, 'utf8');
    const prefix = join(dir, 'prefix.ndjson');
    writeFileSync(prefix, all.split('\n').slice(0, 60).join('\n'));
    const t = await target();
    expect((await runBin(['import', prefix, '--schema', t.schema, '--chunk', '25'])).code).to.equal(0);
    const resumed = await runBin(['import', file, '--schema', t.schema, '--chunk', '25']);
    expect(resumed.stdout).to.equal('imported 43 records, skipped 60 already present (103 read)\n');
    expect((await runBin(['export', '--schema', t.schema])).stdout).to.equal(all);
  });

  it('stops at a malformed line with its number, exit code 1, nothing of its chunk written', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[31] = '{"kind":';
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const t = await target();
    const result = await runBin(['import', bad, '--schema', t.schema, '--chunk', '25']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^error: .*bad\.ndjson: Import stopped at line 32 \(malformed_json\)/m);
    expect((await tableCounts(t.schema)).events).to.equal(25);
  });
});
