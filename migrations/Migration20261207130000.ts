import { Migration } from '@mikro-orm/migrations';

/**
 * Keeps the sequencer's plans as small as its work as the store grows
 * (docs/large-stores.md, "Plans that grow with the store"):
 *
 * - `append_log.tx` is declared all-distinct. An append is one row with its
 *   own transaction id, but a bulk import writes thousands of rows per
 *   transaction, after which ANALYZE expects thousands of rows per `tx`
 *   looked up: `es_positions` and the sweep's in-progress lookup then got
 *   parallel and bitmap plans for what are a few index probes.
 * - The sequencer's functions run without JIT. `es_sweep` plans its
 *   statement once, generically, and the generic estimate of its "appends
 *   at or after xmax" range is a third of `append_log`: past about half a
 *   million appends its cost crosses `jit_above_cost`, and on a server with
 *   JIT on (PostgreSQL's default) every sweep compiled for 13–34 ms, under
 *   the sequencer lock, a statement that runs in 0.1 ms. Applied to every
 *   signature of the functions, whatever earlier migrations made of them.
 */
export class Migration20261207130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "append_log" alter column "tx" set (n_distinct = -1);`);
    this.addSql(eachSequencerFunction('set jit = off'));
  }

  override async down(): Promise<void> {
    this.addSql(eachSequencerFunction('reset jit'));
    this.addSql(`alter table "append_log" alter column "tx" reset (n_distinct);`);
  }
}

function eachSequencerFunction(action: string): string {
  return `do $do$ declare f regprocedure; begin
    for f in select p.oid::regprocedure from pg_proc p
      where p.pronamespace = current_schema()::regnamespace and p.proname in ('es_sweep', 'es_sequence', 'es_positions')
    loop execute format('alter function %s ${action}', f); end loop;
  end $do$;`;
}
