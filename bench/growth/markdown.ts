/** The growth run as Markdown (bench/results/growth.md), the table docs/large-stores.md quotes. */
import { formatValue } from '../report/format';
import { bytesPerEvent, GrowthResults, meetsTarget, ratioToEmpty, sizeLabel, targetText } from './results';

const n = (value: number) => Math.round(value).toLocaleString('en-US');

export function growthMarkdown(r: GrowthResults): string {
  const last = r.stages[r.stages.length - 1];
  const out: string[] = [];
  const s = r.server.settings;
  out.push(`Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC with \`${r.command}\` (${r.profile.name} profile, ` +
    `median of ${r.profile.reps} repetitions per figure, ${Math.round(r.durationSeconds / 60)} min in all). ` +
    'The machine was shared with other work while it ran: compare the ratios within this run, not the figures with another run.');
  out.push('');
  out.push(`- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}.`);
  out.push(`- PostgreSQL: ${r.server.version.split(' on ')[0]} (${r.server.embedded ? 'embedded' : 'DATABASE_URL'}); ` +
    `shared_buffers ${s.shared_buffers}, max_wal_size ${s.max_wal_size}, synchronous_commit ${s.synchronous_commit}.`);
  out.push(`- The ratios are to the new store: ${n(r.stages[0].size)} events of the same history, so that \`$all\` pages have something to read; ` +
    'every figure counts the probes\' own events too (they add some 100,000 per size).');
  out.push(`- History: ${n(r.streams)} streams of mixed length, loaded with \`importEvents\` (${r.loaders} side by side)` +
    `${r.vacuum ? ', then `VACUUM (ANALYZE)` of the growing tables' : ''} and a checkpoint before the probes. ` +
    `The history's event ids are uuid v7; the probes' appends give uuid ${r.profile.eventIds} ids.`);
  for (const stage of r.stages) {
    const parts = [`${sizeLabel(stage.size)}: ${n(stage.events)} events`];
    parts.push(`stream lengths ${n(stage.lengths.min)} / ${n(stage.lengths.median)} / ${n(stage.lengths.max)} (min / median / max)`);
    parts.push(`loaded at ${n(stage.load.eventsPerSecond)} events/s (${n(stage.load.seconds)} s)`);
    if (stage.vacuumSeconds !== undefined) parts.push(`vacuum (analyze) ${stage.vacuumSeconds.toFixed(0)} s`);
    out.push(`  - ${parts.join('; ')}.`);
  }
  out.push('');
  const sizes = r.stages.map((stage) => sizeLabel(stage.size));
  out.push(`| figure | ${sizes.join(' | ')} | target at ${sizeLabel(last.size)} |`);
  out.push(`|---|${sizes.map(() => '---:').join('|')}|---|`);
  for (const probe of r.probes) {
    const cells = r.stages.map((stage, i) => {
      const value = formatValue(stage.probes[probe.key].median, probe);
      return i === 0 ? value : `${value} (×${ratioToEmpty(r, stage, probe).toFixed(2)})`;
    });
    const met = meetsTarget(probe, ratioToEmpty(r, last, probe));
    out.push(`| ${probe.label}, ${probe.unit} | ${cells.join(' | ')} | ${targetText(probe)}: ${met ? 'met' : '**missed**'} |`);
  }
  const bytes = r.stages.map(bytesPerEvent);
  out.push(`| table bytes per event | ${bytes.map((b) => n(b.table)).join(' | ')} | |`);
  out.push(`| index bytes per event | ${bytes.map((b) => n(b.index)).join(' | ')} | |`);
  if (r.stages.every((stage) => stage.walBytesPerEvent)) {
    out.push('', 'WAL written per event by the appends (bytes, median): what a write costs the disk at each size.', '');
    out.push(`| append | ${sizes.join(' | ')} |`, `|---|${sizes.map(() => '---:').join('|')}|`);
    for (const probe of r.probes.filter((p) => p.key.startsWith('append-'))) {
      out.push(`| ${probe.label} | ${r.stages.map((stage) => n(stage.walBytesPerEvent![probe.key])).join(' | ')} |`);
    }
  }
  out.push('');
  out.push(`Sizes at ${sizeLabel(last.size)}, bytes per event:`);
  out.push('');
  out.push('| table | table | indexes |', '|---|---:|---:|');
  for (const t of last.tables) out.push(`| ${t.table} | ${n(t.tableBytes / last.events)} | ${n(t.indexBytes / last.events)} |`);
  return `${out.join('\n')}\n`;
}
