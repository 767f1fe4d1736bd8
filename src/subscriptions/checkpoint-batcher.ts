/**
 * The store's checkpoint writes, coalesced: writes asked for while another
 * is on its way (or in the same turn of the event loop) go out together in
 * one statement. With many subscriptions acknowledging the same events,
 * that is one round trip instead of one per subscription, the way a
 * database groups commits.
 */
import type { Claim, SubscriptionRows } from './subscription-rows';

interface Waiting {
  claim: Pick<Claim, 'id' | 'epoch'>;
  position: number;
  resolve: (moved: boolean) => void;
  reject: (error: Error) => void;
}

export class CheckpointBatcher {
  private waiting = new Map<string, Waiting[]>();
  private writing = false;
  private scheduled = false;

  constructor(private readonly rows: SubscriptionRows) {}

  /** Resolves true when the checkpoint moved, false when `claim` is no longer the owner. */
  write(claim: Pick<Claim, 'id' | 'epoch'>, position: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const key = `${claim.id}:${claim.epoch}`;
      const list = this.waiting.get(key);
      if (list) list.push({ claim, position, resolve, reject });
      else this.waiting.set(key, [{ claim, position, resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.waiting.size === 0) return;
    const batch = this.waiting;
    this.waiting = new Map();
    this.writing = true;
    const writes = [...batch.values()].map((list) => ({
      id: list[0].claim.id,
      epoch: list[0].claim.epoch,
      position: Math.max(...list.map((w) => w.position)),
    }));
    try {
      const moved = await this.rows.checkpointMany(writes);
      for (const [key, list] of batch) for (const w of list) w.resolve(moved.has(key));
    } catch (error) {
      for (const list of batch.values()) for (const w of list) w.reject(error as Error);
    } finally {
      this.writing = false;
      this.schedule();
    }
  }
}
