/**
 * `$all` subscriptions written by hand on the library's schema: one LISTEN
 * connection on the store's channel (`es_channel()`, where every sweep
 * announces the new last position); each notification wakes every
 * subscriber, and each subscriber reads from its own cursor with the `$all`
 * SQL (its own queries, pages of 1000), hands each page to its handler, and
 * writes its checkpoint with one UPDATE of its `subscriptions` row once
 * `checkpointEvery` events were handled since the last write (the library's
 * `checkpointThreshold` rule).
 */
import { Client, Pool } from 'pg';
import type { AllPage, BenchSubscription, SubscriptionSpec } from './contender';
import { CHECKPOINT, CREATE_SUBSCRIPTION, DELETE_SUBSCRIPTION, LAST_POSITION, PAGE, TYPES } from './hand-sql.sql';

export type ReadAll = (after: number, count: number) => Promise<AllPage>;

export class HandSubscriptions {
  private listener?: Promise<Client>;
  private readonly subscribers = new Set<HandSubscriber>();

  constructor(
    private readonly pool: Pool,
    private readonly url: string,
    private readonly readAll: ReadAll,
  ) {}

  async subscribe(specs: SubscriptionSpec[]): Promise<BenchSubscription> {
    // Listening before the cursors are read: nothing committed after them goes unannounced.
    await (this.listener ??= this.listen());
    const subscribers: HandSubscriber[] = [];
    for (const spec of specs) {
      const { rows: [{ last_position: last }] } = await this.pool.query({ ...LAST_POSITION, types: TYPES });
      const { rows: [{ id }] } = await this.pool.query({ ...CREATE_SUBSCRIPTION, values: [spec.name, last], types: TYPES });
      const subscriber = new HandSubscriber(id, last, spec, this.pool, this.readAll);
      subscribers.push(subscriber);
      this.subscribers.add(subscriber);
    }
    return {
      stop: async () => {
        for (const s of subscribers) this.subscribers.delete(s);
        await Promise.all(subscribers.map((s) => s.stop()));
        for (const s of subscribers) await this.pool.query({ ...DELETE_SUBSCRIPTION, values: [s.id] });
      },
    };
  }

  async close(): Promise<void> {
    const listener = await this.listener?.catch(() => undefined);
    this.listener = undefined;
    await listener?.end();
  }

  private async listen(): Promise<Client> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    const channel = (await client.query('select public.es_channel() as channel')).rows[0].channel as string;
    client.on('notification', (message) => {
      if (message.channel !== channel) return;
      for (const subscriber of this.subscribers) subscriber.wake(message.payload ?? '');
    });
    await client.query(`listen "${channel}"`);
    return client;
  }
}

class HandSubscriber {
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private handledSinceCheckpoint = 0;

  constructor(
    readonly id: number,
    private cursor: number,
    private readonly spec: SubscriptionSpec,
    private readonly pool: Pool,
    private readonly readAll: ReadAll,
  ) {}

  /** A notification: the payload is the new last position (or 'w' / 'l', which say nothing about `$all`). */
  wake(payload: string): void {
    const position = Number(payload);
    if (this.stopped || (payload !== '' && Number.isSafeInteger(position) && position <= this.cursor)) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  /** Reads and hands out pages until `$all` ends, again if woken meanwhile. */
  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          const page = await this.readAll(this.cursor, PAGE);
          if (this.stopped || page.events.length === 0) break;
          this.spec.onEvents(page.events);
          this.cursor = page.next;
          this.handledSinceCheckpoint += page.events.length;
          if (this.handledSinceCheckpoint >= this.spec.checkpointEvery) {
            await this.pool.query({ ...CHECKPOINT, values: [this.id, this.cursor] });
            this.handledSinceCheckpoint = 0;
          }
          if (page.events.length < PAGE) break;
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.spec.onError(error as Error);
    }
  }
}
