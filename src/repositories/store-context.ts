import type { Logger } from '@mikro-orm/core';
import { SchemaSql } from './sql/naming';
import { ReadStatements } from './sql/read.sql';
import { sequencerStatements } from './sql/sequencer.sql';
import { snapshotStatements } from './sql/snapshots.sql';
import { writeStatements } from './sql/write.sql';
import { PositionWaiter } from './position-waiter';
import { SqlRunner } from './sql-runner';

/**
 * How long an append that found the sequencer busy waits for another
 * append's sweep before numbering itself: a few appends' time under load,
 * and what the last appends of a burst pay extra.
 */
const POSITION_SEQUENCE_AFTER_MS = 2;

/** What the store's parts share: its schema, its SQL and how to run it. */
export class StoreContext {
  readonly naming: SchemaSql;
  readonly write: ReturnType<typeof writeStatements>;
  readonly read: ReadStatements;
  readonly sequencer: ReturnType<typeof sequencerStatements>;
  readonly snapshots: ReturnType<typeof snapshotStatements>;
  /** Where appends that found the sequencer busy wait for their positions. */
  readonly positions: PositionWaiter;

  constructor(
    readonly schema: string,
    readonly runner: SqlRunner,
    readonly logger: Logger,
    readonly enableHardDeletes: boolean,
  ) {
    this.naming = new SchemaSql(schema);
    this.write = writeStatements(this.naming);
    this.read = new ReadStatements(this.naming);
    this.sequencer = sequencerStatements(this.naming);
    this.snapshots = snapshotStatements(this.naming);
    this.positions = new PositionWaiter(runner, this.sequencer.positions, POSITION_SEQUENCE_AFTER_MS);
  }
}
