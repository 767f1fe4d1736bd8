/**
 * `runner.waitFor(name, position)`: callers waiting for a projection's
 * committed checkpoint to reach a `$all` position (read your own writes).
 *
 * Nobody polls in a loop. A waiter is woken by checkpoint moves:
 * - this process's own batches, as they commit (`moved`);
 * - any process's batches: each checkpoint move notifies the store's
 *   channel inside the batch's transaction (projections.sql.ts), delivered
 *   at commit to every store's LISTEN connection;
 * - a re-read of the committed checkpoints when the LISTEN connection comes
 *   back (notifications sent while it was down are lost), and a slow safety
 *   re-read while anybody waits.
 * The database is the truth: a waiter first registers, then reads the
 * checkpoint, so a move between the two cannot be missed.
 */
import type { Notifier } from '../../repositories/notifier';
import { ProjectionWaitTimeoutError } from '../errors';
import { CHECKPOINT_PAYLOAD_PREFIX } from '../sql/projections.sql';

interface Waiter {
  position: number;
  resolve(): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export interface CheckpointWaitersDeps {
  notifier: Notifier;
  /** Subscription name -> projection name, for the projections of this runner. */
  projectionOf(subscriptionName: string): string | undefined;
  /** The committed checkpoint of a projection (0 before it first ran). */
  readCheckpoint(projection: string): Promise<number>;
  /** How often the waiters' checkpoints are re-read while any wait. */
  recheckMs: number;
  report(error: Error, projection: string): void;
}

export class CheckpointWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();
  /** The committed checkpoint last seen per projection (it goes back to 0 when a rebuild begins). */
  private readonly lastSeen = new Map<string, number>();
  private recheckTimer?: NodeJS.Timeout;
  private listening = false;
  private readonly onNotification = (payload: string) => this.notification(payload);
  private readonly onConnected = () => this.recheck();

  constructor(private readonly deps: CheckpointWaitersDeps) {}

  /** Resolves once the committed checkpoint of `projection` is >= `position`; rejects after `timeoutMs`. */
  async wait(projection: string, position: number, timeoutMs: number): Promise<void> {
    // No shortcut from what was seen before: a rebuild may have reset the checkpoint since.
    let waiter!: Waiter;
    const done = new Promise<void>((resolve, reject) => {
      waiter = { position, resolve, reject };
    });
    this.add(projection, waiter);
    waiter.timer = setTimeout(() => void this.expire(projection, waiter, timeoutMs), timeoutMs);
    try {
      this.moved(projection, await this.deps.readCheckpoint(projection));
    } catch (error) {
      this.remove(projection, waiter);
      waiter.reject(error as Error);
    }
    return done;
  }

  /** `projection`'s checkpoint is committed at `position`. */
  moved(projection: string, position: number): void {
    this.lastSeen.set(projection, position);
    const waiters = this.waiting.get(projection);
    if (!waiters) return;
    for (const waiter of waiters) {
      if (waiter.position > position) continue;
      this.remove(projection, waiter);
      waiter.resolve();
    }
  }

  /** Stops listening; waiters still waiting time out as usual. */
  close(): void {
    this.stopListening();
  }

  private async expire(projection: string, waiter: Waiter, timeoutMs: number): Promise<void> {
    // A last look at the truth before giving up.
    const checkpoint = await this.deps.readCheckpoint(projection).catch(() => this.lastSeen.get(projection) ?? 0);
    this.moved(projection, checkpoint);
    if (!this.remove(projection, waiter)) return;
    waiter.reject(new ProjectionWaitTimeoutError(projection, waiter.position, checkpoint, timeoutMs));
  }

  private add(projection: string, waiter: Waiter): void {
    let waiters = this.waiting.get(projection);
    if (!waiters) this.waiting.set(projection, (waiters = new Set()));
    waiters.add(waiter);
    this.startListening();
  }

  /** False when it was no longer waiting. */
  private remove(projection: string, waiter: Waiter): boolean {
    const waiters = this.waiting.get(projection);
    if (!waiters?.delete(waiter)) return false;
    if (waiter.timer) clearTimeout(waiter.timer);
    if (waiters.size === 0) this.waiting.delete(projection);
    if (this.waiting.size === 0) this.stopListening();
    return true;
  }

  private notification(payload: string): void {
    if (!payload.startsWith(CHECKPOINT_PAYLOAD_PREFIX)) return;
    const rest = payload.slice(CHECKPOINT_PAYLOAD_PREFIX.length);
    const colon = rest.indexOf(':');
    const position = Number(rest.slice(0, colon));
    const projection = this.deps.projectionOf(rest.slice(colon + 1));
    if (colon > 0 && projection !== undefined && Number.isSafeInteger(position)) this.moved(projection, position);
  }

  private recheck(): void {
    for (const projection of this.waiting.keys()) {
      this.deps.readCheckpoint(projection).then(
        (checkpoint) => this.moved(projection, checkpoint),
        (error: Error) => this.deps.report(error, projection),
      );
    }
  }

  private startListening(): void {
    if (this.listening) return;
    this.listening = true;
    this.deps.notifier.on('notification', this.onNotification);
    this.deps.notifier.on('connected', this.onConnected);
    this.recheckTimer = setInterval(() => this.recheck(), this.deps.recheckMs);
    this.recheckTimer.unref();
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.deps.notifier.off('notification', this.onNotification);
    this.deps.notifier.off('connected', this.onConnected);
    clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
  }
}
