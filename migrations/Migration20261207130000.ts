import { Migration } from '@mikro-orm/migrations';

/**
 * The sequencer's functions run without JIT. `es_sweep` plans its statement
 * once, generically, and the generic row estimate of its "appends at or
 * after xmax" range is a third of `append_log`: past about half a million
 * appends its cost crosses `jit_above_cost` and, on a server with JIT on
 * (PostgreSQL's default), every sweep spent 13–34 ms compiling a statement
 * that runs in 0.1 ms, under the sequencer lock (docs/large-stores.md).
 * Applied to every signature of the functions, whatever later migrations
 * made of them.
 */
export class Migration20261207130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(eachSequencerFunction('set jit = off'));
  }

  override async down(): Promise<void> {
    this.addSql(eachSequencerFunction('reset jit'));
  }
}

function eachSequencerFunction(action: string): string {
  return `do $do$ declare f regprocedure; begin
    for f in select p.oid::regprocedure from pg_proc p
      where p.pronamespace = current_schema()::regnamespace and p.proname in ('es_sweep', 'es_sequence', 'es_positions')
    loop execute format('alter function %s ${action}', f); end loop;
  end $do$;`;
}
