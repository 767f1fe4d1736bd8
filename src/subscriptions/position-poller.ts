/**
 * The fallback for lost or absent notifications: every `intervalMs`, while
 * the store has subscriptions, one indexed query for the last `$all`
 * position, fed to the wake hub like a notification. When nothing changed,
 * that query is the whole cost; subscriptions read only when woken.
 */
import type { Logger } from '@mikro-orm/core';

export class PositionPoller {
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly lastPosition: () => Promise<number>,
    private readonly advance: (position: number) => void,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const position = await this.lastPosition();
      if (this.timer) this.advance(position);
    } catch (error) {
      this.logger.error('info', `[eventstore] subscription poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
