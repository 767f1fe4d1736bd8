/** `status` as text: one fact per line, then the subscriptions as a table. */
import type { StatusReport } from './status-report';

export function formatStatus(report: StatusReport): string[] {
  const { migrations, streams } = report;
  const lines = [
    fact('schema', report.schema),
    fact('migrations', `${migrations.applied.length} applied, ${migrations.pending.length} pending`),
    ...migrations.applied.map((name) => fact('  applied', name)),
    ...migrations.pending.map((name) => fact('  pending', name)),
    fact('streams', `${streams.live} live, ${streams.softDeleted} soft-deleted`),
    fact('events', String(report.events)),
    fact('last position', String(report.lastPosition)),
    fact('subscriptions', report.subscriptions.length === 0 ? 'none' : String(report.subscriptions.length)),
  ];
  if (report.subscriptions.length > 0) {
    lines.push('', ...table(
      ['STREAM', 'NAME', 'CHECKPOINT', 'LAG', 'OWNER'],
      report.subscriptions.map((s) => [s.streamId, s.name, String(s.checkpoint), String(s.lag), s.owner ?? '-']),
      [false, false, true, true, false],
    ));
    const failed = report.subscriptions.filter((s) => s.failure);
    if (failed.length > 0) lines.push('', ...failed.map(({ name, failure }) => failureLine(name, failure!)));
    const parked = report.subscriptions.filter((s) => s.parked > 0);
    if (parked.length > 0) lines.push('', ...parked.map(({ name, parked: count }) => `parked: ${name} ${count} event${count === 1 ? '' : 's'} (replay-parked applies them again)`));
  }
  return lines;
}

/** A projection that stopped: where, when and why (with the error's code when it had one). */
function failureLine(name: string, failure: NonNullable<StatusReport['subscriptions'][number]['failure']>): string {
  const code = failure.code ? ` [${failure.code}]` : '';
  return `failed: ${name} at position ${failure.position} (${failure.failedAt.toISOString()}): ${failure.message.split('\n')[0]}${code}`;
}

function fact(label: string, value: string): string {
  return `${`${label}:`.padEnd(16)}${value}`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
