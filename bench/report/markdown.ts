/** The run as Markdown (bench/results/<name>.md), ready to paste into the README's Performance section. */
import { contenderInfo } from '../contenders';
import type { BenchResults, WorkloadResult } from './model';
import { formatRange, formatRatio, formatValue, levelLabel } from './format';
import { targetLines, workloadNotes } from './table';

export function markdownReport(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC with \`${r.command}\` (${r.profile.name} profile, ` +
    `${r.profile.reps} interleaved repetitions per cell, ${Math.round(r.durationSeconds)} s).`);
  out.push('');
  out.push(`- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}.`);
  const s = r.server.settings;
  out.push(`- PostgreSQL: ${r.server.version.split(' on ')[0]} (${r.server.embedded ? 'embedded' : 'DATABASE_URL'}); ` +
    `shared_buffers ${s.shared_buffers}, synchronous_commit ${s.synchronous_commit}, fsync ${s.fsync}, jit ${s.jit}.`);
  out.push(`- Pool of ${r.profile.poolSize} connections for every contender; ${r.profile.batchSize}-event batches; ` +
    `event ids uuid ${r.profile.eventIds}.`);
  out.push('');
  for (const w of r.workloads) out.push(workloadMarkdown(w, contenderInfo(r.baseline).label), '');
  out.push('Where the time goes (medians; server CPU is every PostgreSQL process, statements are round trips):', '');
  out.push('| workload | contender | client µs/event | server µs/event | statements/op | WAL B/event |', '|---|---|---|---|---|---|');
  for (const w of r.workloads) {
    for (const level of w.levels) {
      for (const cell of level.cells) {
        const c = cell.costs;
        out.push(`| ${[w.title, levelLabel(level.level, w.levelName)].filter(Boolean).join(', ')} | ${contenderInfo(cell.contender).label} | ` +
          `${c.clientUsPerEvent.median.toFixed(1)} | ${c.serverUsPerEvent?.median.toFixed(1) ?? '–'} | ${c.queriesPerOp.median.toFixed(2)} | ` +
          `${c.walBytesPerEvent ? Math.round(c.walBytesPerEvent.median).toLocaleString('en-US') : '–'} |`);
      }
    }
  }
  out.push('', 'Targets:', '', ...targetLines(r).map((line) => `- ${line}`));
  return `${out.join('\n')}\n`;
}

function workloadMarkdown(w: WorkloadResult, baselineLabel: string): string {
  const contenders = w.levels[0]?.cells.map((c) => contenderInfo(c.contender).label) ?? [];
  const lines = [
    `**${w.title}** (${w.metrics[0].unit}; median, ×paired ratio to ${w.baseline ? contenderInfo(w.baseline).label : baselineLabel}, [min–max])`,
    '',
    `| ${w.levelName} | ${contenders.join(' | ')} |`,
    `|---|${contenders.map(() => '---').join('|')}|`,
  ];
  for (const level of w.levels) {
    for (const metric of w.metrics) {
      const label = [levelLabel(level.level, w.levelName), w.metrics.length > 1 ? metric.label : ''].filter(Boolean).join(' ') || 'one reader';
      const cells = level.cells.map((cell) => {
        const s = cell.metrics[metric.key];
        const ratio = cell.ratios ? ` (${formatRatio(cell.ratios[metric.key])})` : '';
        return `${formatValue(s.median, metric)}${ratio} [${formatRange(s, metric)}]`;
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
  }
  for (const note of workloadNotes(w)) lines.push('', note);
  const setup = Object.entries(w.setup).filter(([, facts]) => facts && Object.keys(facts).length > 0);
  if (setup.length > 0) {
    lines.push('', `Setup: ${setup.map(([key, facts]) => `${contenderInfo(key as never).label} ${Object.entries(facts!)
      .map(([k, v]) => `${k} ${Math.round(v).toLocaleString('en-US')}`).join(', ')}`).join('; ')}.`);
  }
  return lines.join('\n');
}
