/**
 * A store's hot standbys, put together: the router that serves its reads
 * (read-router.ts), its own writes that reads must see (own-writes.ts), and
 * the gate that holds subscriptions' wake-ups until the standbys have
 * replayed them (replay-gate.ts).
 */
import type { Logger } from '@mikro-orm/core';
import type { QueryRunner } from '../repositories/sql-runner';
import { Lsn, parseLsn } from './lsn';
import { OwnWrites } from './own-writes';
import { ReadRouter } from './read-router';
import type { ResolvedReplicaOptions } from './replica-options';
import { ReplayGate } from './replay-gate';
import { replicationStatements } from './sql/replication.sql';
import { Standby } from './standby';

export class ReadReplicas {
  readonly ownWrites: OwnWrites;
  readonly router: ReadRouter;
  readonly gate: ReplayGate;

  constructor(primary: QueryRunner, options: ResolvedReplicaOptions, logger: Logger) {
    const primaryLsn = async (): Promise<Lsn> => {
      const [row] = await primary.query<{ lsn: string }>(replicationStatements.primaryLsn, []);
      return parseLsn(row.lsn);
    };
    const standbys = options.urls.map((url) => new Standby(url, options.poolSize, options.retryAfterMs));
    this.ownWrites = new OwnWrites(primaryLsn);
    this.router = new ReadRouter(primary, standbys, this.ownWrites, options);
    this.gate = new ReplayGate(primaryLsn, this.router, logger);
  }

  async close(): Promise<void> {
    this.gate.close();
    await this.router.close();
  }
}
