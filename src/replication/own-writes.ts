/**
 * Read your writes on a standby: the WAL position a read by this store must
 * find replayed, so that it sees every write the store finished before the
 * read began.
 *
 * The position is asked of the primary lazily, once per read that follows
 * new writes (concurrent reads share one question), so a store that only
 * writes, or only reads, pays nothing. A write made in a caller's
 * transaction commits when the caller says: until that transaction is over,
 * each read asks the primary afresh.
 */
import type { Knex } from '@mikro-orm/postgresql';
import { Lsn, maxLsn } from './lsn';

interface Transactor {
  isCompleted(): boolean;
  parentTransaction?: Transactor;
}

export class OwnWrites {
  /** Bumped by every finished write: a position asked for before the bump does not cover that write. */
  private ticket = 0;
  private covered = 0;
  private floor: Lsn = -1n;
  private asking?: { ticket: number; lsn: Promise<Lsn> };
  /** Callers' transactions that wrote and may not have committed yet. */
  private readonly open = new Set<Transactor>();

  constructor(private readonly primaryLsn: () => Promise<Lsn>) {}

  /** A write of this store has returned; `trx`: it ran in a caller's transaction. */
  wrote(trx?: Knex.Transaction): void {
    if (trx) this.open.add(outermost(trx as unknown as Transactor));
    this.ticket++;
  }

  /** The position the standby must have replayed before this read; -1 when the store wrote nothing. */
  target(): Promise<Lsn> {
    if (this.open.size > 0) {
      // Such a transaction may have committed a moment ago: only a fresh answer covers it.
      this.ticket++;
      for (const trx of this.open) if (trx.isCompleted()) this.open.delete(trx);
    }
    const needed = this.ticket;
    if (this.covered >= needed) return Promise.resolve(this.floor);
    if (this.asking && this.asking.ticket >= needed) return this.asking.lsn;
    const asking = {
      ticket: needed,
      lsn: this.primaryLsn().then((lsn) => {
        this.floor = maxLsn(this.floor, lsn);
        this.covered = Math.max(this.covered, needed);
        return this.floor;
      }).finally(() => {
        if (this.asking === asking) this.asking = undefined;
      }),
    };
    this.asking = asking;
    return asking.lsn;
  }
}

function outermost(trx: Transactor): Transactor {
  let current = trx;
  while (current.parentTransaction) current = current.parentTransaction;
  return current;
}
