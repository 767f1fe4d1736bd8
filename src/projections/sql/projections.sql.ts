/**
 * The SQL of projections beyond the subscription rows they reuse: how many
 * `$all` events lie after a checkpoint (their lag), the checkpoint move
 * that announces itself (for `waitFor` in every process), and the advisory
 * lock that keeps the appends applying an inline projection and a rebuild
 * of it apart.
 */
import type { Statement } from '../../repositories/sql-runner';
import type { SchemaSql } from '../../repositories/sql/naming';
import { ALL_STREAM, LockSpace, lockKeySql } from '../../protocol';

/**
 * The number of `$all` events after position `checkpoint` (an SQL
 * expression). Positions are dense except for the ranges of hard-deleted
 * streams, so the count sums the position ranges of streams that still
 * exist: one index range scan of `all_positions` from the checkpoint (a
 * row per append), cheap when caught up.
 */
export function eventsAfterSql(s: SchemaSql, checkpoint: string): string {
  const positions = s.t('all_positions');
  return `(select coalesce(sum(least(r.count, r.first_position + r.count - 1 - ${checkpoint})), 0)
           from ${positions} r
           where r.first_position >= coalesce((select max(p.first_position) from ${positions} p
                                               where p.first_position <= ${checkpoint}), 1)
             and r.first_position + r.count - 1 > ${checkpoint}
             and exists (select 1 from ${s.t('streams')} st where st.id = r.stream_ref))`;
}

/**
 * The payload prefix of a projection's checkpoint notification on the
 * store's channel: `c:<position>:<subscription name>`. Other listeners of
 * the channel read only positions and the payloads of src/protocol.ts, and ignore it.
 */
export const CHECKPOINT_PAYLOAD_PREFIX = 'c:';

export function projectionStatements(s: SchemaSql) {
  // Lock keys of inline projections, and of a projection's read-model transactions.
  const inlineKey = lockKeySql(s.t(LockSpace.inlineProjection), 'hashtext($1)');
  const applyKey = lockKeySql(s.t(LockSpace.projectionApply), 'hashtext($1)');
  return {
    /**
     * `$1` subscription name, `$2` projection name: its checkpoint, owner,
     * lag, recorded failure and parked events; no row before the projection
     * first ran.
     */
    status: {
      name: s.name('proj_status'),
      text: `select sub.last_seen, sub.owner, ${eventsAfterSql(s, 'sub.last_seen')} as lag,
                    sub.failed_at, sub.failure_message, sub.failure_code, sub.failed_position,
                    (select count(*) from ${s.t('parked_events')} pe where pe.projection = $2) as parked
             from ${s.t('subscriptions')} sub where sub.stream_id = '${ALL_STREAM}' and sub.name = $1`,
    } satisfies Statement,

    /** `$1` subscription name: its committed checkpoint (no row: the projection has not run yet). */
    checkpoint: {
      name: s.name('proj_checkpoint'),
      text: `select last_seen from ${s.t('subscriptions')} where stream_id = '${ALL_STREAM}' and name = $1`,
    } satisfies Statement,

    /**
     * A batch's checkpoint move (compare-and-set on the owner's epoch `$2`
     * and the previous checkpoint `$4`, to `$3`) that also notifies the
     * store's channel, delivered when the batch commits: `waitFor` in any
     * process wakes on it. No row: refused.
     */
    moveCheckpoint: {
      name: s.name('proj_move_checkpoint'),
      text: `with moved as (
               update ${s.t('subscriptions')} set last_seen = $3
               where id = $1 and epoch = $2 and last_seen = $4
               returning name, last_seen)
             select pg_notify(${s.t('es_channel')}(), '${CHECKPOINT_PAYLOAD_PREFIX}' || last_seen || ':' || name) from moved`,
    } satisfies Statement,

    /** `$all` events after position `$1`. */
    eventsAfter: {
      name: s.name('proj_events_after'),
      text: `select ${eventsAfterSql(s, '$1::bigint')} as count`,
    } satisfies Statement,

    /** Taken by an append that applies inline projection `$1` (until its transaction ends). */
    inlineShared: {
      name: s.name('proj_inline_shared'),
      text: `select pg_advisory_xact_lock_shared(${inlineKey})`,
    } satisfies Statement,

    /** Taken by a rebuild of inline projection `$1`: waits for the appends applying it, and holds new ones back. */
    inlineExclusive: {
      name: s.name('proj_inline_exclusive'),
      text: `select pg_advisory_xact_lock(${inlineKey})`,
    } satisfies Statement,

    /**
     * Taken by each read-model transaction of projection `$1` (its batches,
     * parks and replays of parked events) until it ends: a replay runs
     * between batches, never beside one, so their read-modify-writes of one
     * row cannot lose each other's changes.
     */
    applyExclusive: {
      name: s.name('proj_apply_exclusive'),
      text: `select pg_advisory_xact_lock(${applyKey})`,
    } satisfies Statement,

    /** `$1` the transaction's lock_timeout (e.g. '10000ms', '0' for none). */
    lockTimeout: {
      name: s.name('proj_lock_timeout'),
      text: `select set_config('lock_timeout', $1, true)`,
    } satisfies Statement,
  };
}

export type ProjectionStatements = ReturnType<typeof projectionStatements>;
