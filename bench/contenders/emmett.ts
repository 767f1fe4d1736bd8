/**
 * Emmett (@event-driven-io/emmett-postgresql 0.42.0) through its public API:
 * getPostgreSQLEventStore(...).appendToStream / readStream, and its exported
 * readMessagesBatch for the global log (what its consumers use). Our event id
 * travels as `metadata.messageId`, which Emmett stores as the message id.
 *
 * Importing dumbo installs global pg type parsers, one reason why every
 * contender runs in a process of its own.
 */
import { dumbo, type Dumbo } from '@event-driven-io/dumbo';
import { isExpectedVersionConflictError } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, readMessagesBatch, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import type { BenchEvent } from '../fixtures';
import { AllPage, Contender, EventIdentity, VersionConflict } from './contender';

interface EmmettEvent {
  type: string;
  data: unknown;
  metadata: { messageId: string; streamName: string; streamPosition: bigint; globalPosition: bigint };
}

export class EmmettContender implements Contender {
  private pool?: Pool;
  private db?: Dumbo;
  private store?: PostgresEventStore;

  async open(url: string, poolSize: number): Promise<void> {
    this.pool = new Pool({ connectionString: url, max: poolSize });
    this.db = dumbo({ connectionString: url, pool: this.pool });
    this.store = getPostgreSQLEventStore(url, { connectionOptions: { dumbo: this.db } });
    await this.store.schema.migrate();
  }

  async close(): Promise<void> {
    await this.store?.close();
    await this.pool?.end().catch(() => undefined);
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    const messages = events.map((e) => ({ type: e.eventType, data: e.data, metadata: { ...e.metadata, messageId: e.eventId } }));
    try {
      await this.store!.appendToStream(streamId, messages, {
        // 0n, not STREAM_DOES_NOT_EXIST: in emmett-postgresql 0.42.0 the latter turns the version check off.
        expectedStreamVersion: BigInt(expectedVersion),
      });
    } catch (error) {
      if (isExpectedVersionConflictError(error)) throw new VersionConflict(error);
      throw error;
    }
  }

  async readStream(streamId: string): Promise<unknown[]> {
    return (await this.store!.readStream(streamId)).events;
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const batch = await readMessagesBatch(this.db!.execute, { after: BigInt(after), batchSize: count });
    return { events: batch.messages, next: Number(batch.currentGlobalPosition) };
  }

  identify(event: unknown): EventIdentity {
    const { metadata } = event as EmmettEvent;
    return { eventId: metadata.messageId, streamId: metadata.streamName, version: Number(metadata.streamPosition) };
  }
}
