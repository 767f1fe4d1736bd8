/**
 * `npm run bench:append-profile -- <url>`: where a command-sized append's
 * server time goes. Runs 1-event appends (new streams, then existing ones) of
 * this library and of SQL without a sequencer against a server started with
 * `shared_preload_libraries = pg_stat_statements`, `pg_stat_statements.track
 * = all` and `track_functions = all` (a private one: the statistics are
 * reset), and prints per append: each statement's and function's time,
 * calls and WAL, and the whole run's WAL bytes. Environment: APPENDS per
 * cell (3000), WRITERS (1,10,50), ONLY (library or no-seq).
 */
import { Client } from 'pg';
import { LibraryContender } from './contenders/library';
import { NoSequencerContender } from './contenders/no-sequencer';
import type { Contender } from './contenders/contender';
import { makeEvents, newStreamId } from './fixtures';

const APPENDS = Number(process.env.APPENDS ?? 3000);
const WRITERS = (process.env.WRITERS ?? '1,10,50').split(',').map(Number);

async function main(): Promise<void> {
  const base = process.argv[2];
  if (!base) throw new Error('usage: append-profile <postgres url of a private server>');
  const admin = new Client({ connectionString: base });
  await admin.connect();
  const contenders = [['library', () => new LibraryContender()], ['no-seq', () => new NoSequencerContender()]] as const;
  for (const [key, make] of contenders.filter(([k]) => !process.env.ONLY || process.env.ONLY === k)) {
    const db = `profile_${key.replace('-', '_')}`;
    await admin.query(`drop database if exists ${db} with (force)`);
    await admin.query(`create database ${db}`);
    const url = new URL(base);
    url.pathname = `/${db}`;
    const contender: Contender = make();
    await contender.open(url.toString(), 50);
    const stats = new Client({ connectionString: url.toString() });
    await stats.connect();
    await stats.query('create extension if not exists pg_stat_statements');
    const existing: string[] = [];
    for (let i = 0; i < 2000; i++) {
      existing.push(newStreamId('p'));
      await contender.append(existing[i], 0, makeEvents(1, 'v4'));
    }
    const versions = existing.map(() => 1);
    for (const writers of WRITERS) {
      for (const target of ['new', 'existing'] as const) {
        await stats.query('select pg_stat_statements_reset(), pg_stat_reset()');
        const lsn0 = (await stats.query('select pg_current_wal_lsn() as l')).rows[0].l as string;
        const cpu0 = process.cpuUsage();
        let next = 0;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: writers }, async (_, w) => {
          while (next++ < APPENDS) {
            if (target === 'new') await contender.append(newStreamId('p'), 0, makeEvents(1, 'v4'));
            else {
              const slice = Math.floor((existing.length - 1 - w) / writers) + 1;
              const i = w + writers * Math.floor(Math.random() * slice);
              await contender.append(existing[i], versions[i], makeEvents(1, 'v4'));
              versions[i]++;
            }
          }
        }));
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const wal = (await stats.query(`select pg_wal_lsn_diff(pg_current_wal_lsn(), $1) as b`, [lsn0])).rows[0].b;
        await new Promise((r) => setTimeout(r, 600)); // function statistics are flushed by the backends after 500 ms idle
        console.log(`\n## ${key}, ${target} streams, ${writers} writers: ${APPENDS} appends in ${ms.toFixed(0)} ms ` +
          `(${(APPENDS / ms * 1000).toFixed(0)}/s), WAL ${(Number(wal) / APPENDS).toFixed(0)} B/append, ` +
          `client CPU ${((cpu.user + cpu.system) / APPENDS).toFixed(0)} µs/append`);
        const st = await stats.query(
          `select calls, round((total_exec_time * 1000 / $1)::numeric, 1) as us_per_append, round((total_exec_time * 1000 / calls)::numeric, 1) as us_per_call,
                  round(wal_bytes / $1::numeric) as wal_per_append, regexp_replace(left(query, 110), '\\s+', ' ', 'g') as query
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and calls > 0
           order by total_exec_time desc limit 14`, [APPENDS]);
        console.log('| µs/append | µs/call | calls | WAL B/append | statement |\n|---|---|---|---|---|');
        for (const r of st.rows) console.log(`| ${r.us_per_append} | ${r.us_per_call} | ${r.calls} | ${r.wal_per_append} | ${r.query.replace(/\|/g, '\\|')} |`);
        const fn = await stats.query(
          `select funcname, calls, round((total_time * 1000 / $1)::numeric, 1) as total_us, round((self_time * 1000 / $1)::numeric, 1) as self_us
           from pg_stat_user_functions where calls > 0 order by total_time desc`, [APPENDS]);
        if (fn.rows.length) {
          console.log('\n| function | calls | total µs/append | self µs/append |\n|---|---|---|---|');
          for (const r of fn.rows) console.log(`| ${r.funcname} | ${r.calls} | ${r.total_us} | ${r.self_us} |`);
        }
      }
    }
    await stats.end();
    await contender.close();
    // The database stays for EXPLAIN afterwards; the next run drops it first.
  }
  await admin.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
