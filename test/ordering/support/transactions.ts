/** Caller transactions for the race suite: each on its own connection, driven step by step. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { EventStore, ExpectedVersion, RecordedEvent } from '../../../src';
import { events } from '../../support/stores';
import { eventually } from '../../support/wait';

export class CallerTransaction {
  readonly eventIds: string[] = [];
  private constructor(private readonly store: EventStore, readonly em: EntityManager, readonly stream: string) {}

  static async begin(store: EventStore, stream: string): Promise<CallerTransaction> {
    const em = store.orm.em.fork() as EntityManager;
    await em.begin();
    return new CallerTransaction(store, em, stream);
  }

  /** Forces the transaction id now, so that id order can differ from write and commit order. */
  async takeXid(): Promise<string> {
    const [row] = await this.em.execute<Array<{ xid: string }>>('select pg_current_xact_id()::text as xid');
    return row.xid;
  }

  async write(count = 3): Promise<void> {
    const batch = events(count, 'Race');
    await this.store.appendToStream(this.stream, ExpectedVersion.Any, batch, { em: this.em });
  }

  async commit(): Promise<void> {
    await this.em.commit();
  }

  async rollback(): Promise<void> {
    await this.em.rollback();
  }
}

/** Waits until every event of `stream` has an `$all` position (the sequencer ran after a commit). */
export function sequenced(store: EventStore, stream: string, timeoutMs = 3000): Promise<RecordedEvent[]> {
  return eventually(() => store.readStreamForward(stream), (read) => read.length > 0 && read.every((e) => e.position > 0),
    `every event of ${stream} is sequenced`, { timeoutMs });
}
