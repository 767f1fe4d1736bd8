/** This library, through its public API only. */
import { EventStore, RecordedEvent, StreamExistsError, WrongExpectedVersionError } from '../../src';
import type { BenchEvent } from '../fixtures';
import { AllPage, Contender, EventIdentity, VersionConflict } from './contender';

export class LibraryContender implements Contender {
  private store?: EventStore;

  async open(url: string, poolSize: number): Promise<void> {
    this.store = await EventStore.connect({ clientUrl: url, mikroOrm: { pool: { min: 0, max: poolSize } } });
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  async append(streamId: string, expectedVersion: number, events: BenchEvent[]): Promise<void> {
    try {
      await this.store!.appendToStream(streamId, expectedVersion, events);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || error instanceof StreamExistsError) throw new VersionConflict(error);
      throw error;
    }
  }

  readStream(streamId: string): Promise<unknown[]> {
    return this.store!.readStreamForward(streamId);
  }

  async readAll(after: number, count: number): Promise<AllPage> {
    const events = await this.store!.readAllForward(after + 1, count);
    return { events, next: events.length > 0 ? events[events.length - 1].position : after };
  }

  identify(event: unknown): EventIdentity {
    const e = event as RecordedEvent;
    return { eventId: e.eventId, streamId: e.streamId, version: e.streamVersion };
  }
}
