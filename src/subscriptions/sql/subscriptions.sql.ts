/**
 * The SQL of persistent subscriptions: their rows (create, claim, checkpoint
 * compare-and-set, release, delete), their advisory locks, and the wake-up
 * query that maps new `$all` positions to the streams that got them.
 */
import type { SchemaSql } from '../../repositories/sql/naming';
import type { Statement } from '../../repositories/sql-runner';
import { lastPositionSql } from '../../repositories/sql/sequencer.sql';
import { ALL_STREAM, LockSpace, lockKeySql } from '../../protocol';

/** The columns every row statement returns. */
const ROW = 'id, stream_id, name, last_seen, epoch, owner, failed_at is not null as failed';

export function subscriptionStatements(s: SchemaSql) {
  const table = s.t('subscriptions');
  const lastPosition = lastPositionSql(s);
  // Lock keys: (the subscriptions table's oid, the subscription id).
  const lockKey = lockKeySql(s.t(LockSpace.subscription), '($1::bigint % 2147483647)::int');
  return {
    get: {
      name: s.name('sub_get'),
      text: `select ${ROW} from ${table} where stream_id = $1 and name = $2`,
    } satisfies Statement,

    /** Creates the row unless it exists; `$3` the checkpoint to start from, null for "current". */
    create: {
      name: s.name('sub_create'),
      text: `insert into ${table} (stream_id, name, last_seen)
             values ($1, $2, coalesce($3::bigint, case when $1 = '${ALL_STREAM}' then ${lastPosition}
                       else coalesce((select version from ${s.t('streams')} where stream_id = $1), 0) end))
             on conflict (stream_id, name) do nothing
             returning ${ROW}`,
    } satisfies Statement,

    /** A new owner: the next epoch (fencing every earlier owner) and the checkpoint to resume after. */
    claim: {
      name: s.name('sub_claim'),
      text: `update ${table} set epoch = epoch + 1, owner = $2, owned_since = now() where id = $1 returning ${ROW}`,
    } satisfies Statement,

    /**
     * Moves the checkpoint, only for the owner of epoch `$2`; with `$4`, only
     * from that previous checkpoint (a projection's batch). No row: refused.
     */
    checkpoint: {
      name: s.name('sub_checkpoint'),
      text: `update ${table} set last_seen = $3
             where id = $1 and epoch = $2 and ($4::bigint is null or last_seen = $4)
             returning last_seen`,
    } satisfies Statement,

    /** Several owners' checkpoints in one statement: arrays of ids, epochs and positions; returns the rows moved. */
    checkpointMany: {
      name: s.name('sub_checkpoint_many'),
      text: `update ${table} s set last_seen = v.position
             from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as v(id, epoch, position)
             where s.id = v.id and s.epoch = v.epoch
             returning s.id, s.epoch`,
    } satisfies Statement,

    /** The owner of epoch `$2` lets go. */
    release: {
      name: s.name('sub_release'),
      text: `update ${table} set owner = null, owned_since = null where id = $1 and epoch = $2`,
    } satisfies Statement,

    /** The owner of epoch `$2` records why it stopped: `$3` message, `$4` code, `$5` the position it failed at. */
    recordFailure: {
      name: s.name('sub_record_failure'),
      text: `update ${table} set failed_at = now(), failure_message = $3, failure_code = $4, failed_position = $5
             where id = $1 and epoch = $2 returning id`,
    } satisfies Statement,

    /** The owner of epoch `$2` got past the recorded failure. */
    clearFailure: {
      name: s.name('sub_clear_failure'),
      text: `update ${table} set failed_at = null, failure_message = null, failure_code = null, failed_position = null
             where id = $1 and epoch = $2`,
    } satisfies Statement,

    delete: {
      name: s.name('sub_delete'),
      text: `delete from ${table} where stream_id = $1 and name = $2 returning id`,
    } satisfies Statement,

    /** Session-level: held until unlocked or the lock connection ends. */
    tryLock: { text: `select pg_try_advisory_lock(${lockKey}) as locked` } satisfies Statement,
    unlock: { text: `select pg_advisory_unlock(${lockKey}) as unlocked` } satisfies Statement,

    /** Which of the streams `$3` got `$all` positions in `($1, $2]` (one indexed range scan of all_positions). */
    streamsWithNewEvents: {
      name: s.name('sub_streams_with_new'),
      text: `select distinct st.stream_id
             from ${s.t('all_positions')} r join ${s.t('streams')} st on st.id = r.stream_ref
             where r.first_position > $1 and r.first_position <= $2 and st.stream_id = any($3::text[])`,
    } satisfies Statement,
  };
}

export type SubscriptionStatements = ReturnType<typeof subscriptionStatements>;

/** A row of the subscriptions table. */
export interface SubscriptionRow {
  id: number;
  stream_id: string;
  name: string;
  last_seen: number;
  epoch: number;
  owner: string | null;
  /** A failure is recorded on the row (a projection that stopped in the `failed` state). */
  failed: boolean;
}
