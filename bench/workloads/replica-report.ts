/** The replica profile's report: one table per mode comparison, and read-your-writes. */
import { spread } from '../report/stats';
import type { ReadMode, ReplicaResults, WindowSample } from './replica';

export function replicaMarkdown(results: ReplicaResults): string {
  const { profile } = results;
  const rows: Array<[string, (s: WindowSample) => number | null, number]> = [
    ['events appended/s (writers on the primary)', (s) => s.appendedEventsPerSecond, 0],
    [`\`$all\` events read/s (${profile.readers} readers, pages of ${profile.pageSize})`, (s) => s.readEventsPerSecond, 0],
    [`events delivered/s (${profile.subscriptions} \`$all\` subscriptions)`, (s) => s.deliveredEventsPerSecond, 0],
    ['primary CPU per appended event (µs)', (s) => s.primaryCpuUsPerAppend, 1],
    ['standby CPU (cores)', (s) => s.standbyCores, 2],
  ];
  const cell = (mode: ReadMode, pick: (s: WindowSample) => number | null, digits: number) => {
    const values = results.windows.filter((w) => w.mode === mode).map(pick).filter((v): v is number => v !== null);
    if (values.length === 0) return '-';
    const s = spread(values);
    return `${format(s.median, digits)} [${format(s.min, digits)}–${format(s.max, digits)}]`;
  };
  const ryw = results.readYourWrites;
  return [
    '## Replica profile',
    '',
    `\`npm run bench -- --replica${profile.name === 'quick' ? ' --quick' : ''}\`, ${results.startedAt}, ${Math.round(results.durationSeconds)} s, on ${results.server}.`,
    `${profile.writers} writers append ${profile.batchSize}-event batches to the primary for ${profile.windowMs / 1000} s per window, over a log of ` +
      `${profile.preloadEvents.toLocaleString('en-US')} events, while the readers and subscriptions read on the primary or on a streaming standby ` +
      `(${profile.reps} interleaved windows each; median [min–max]). Writers, readers and both servers share this machine's cores.`,
    '',
    '| per window | reads on the primary | reads on the standby |',
    '|---|---|---|',
    ...rows.map(([label, pick, digits]) => `| ${label} | ${cell('primary', pick, digits)} | ${cell('standby', pick, digits)} |`),
    '',
    `Read your writes (a read right after the same store's append, ${profile.readYourWrites} times, writers loading the primary): ` +
      `on the primary p50 ${ryw.primary.p50.toFixed(2)} ms / p99 ${ryw.primary.p99.toFixed(2)} ms; ` +
      `on the standby p50 ${ryw.standby.p50.toFixed(2)} ms / p99 ${ryw.standby.p99.toFixed(2)} ms (max ${ryw.standby.max.toFixed(2)} ms), ` +
      'the wait for its replay included.',
    '',
  ].join('\n');
}

function format(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
