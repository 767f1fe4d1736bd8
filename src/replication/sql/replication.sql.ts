/** The SQL of read replicas: WAL positions on the primary and on its standbys. */
import type { Statement } from '../../repositories/sql-runner';

export const replicationStatements = {
  /**
   * Where the primary's WAL has been written to: every commit this
   * process has seen end at or before it (commits are flushed before they
   * are visible, with PostgreSQL's default synchronous_commit).
   */
  primaryLsn: { name: 'eventstore_primary_lsn', text: 'select pg_current_wal_lsn()::text as lsn' } satisfies Statement,
  /** How far a standby has replayed the primary's WAL; null on a server that is not in recovery. */
  replayLsn: { name: 'eventstore_replay_lsn', text: 'select pg_last_wal_replay_lsn()::text as lsn' } satisfies Statement,
};
