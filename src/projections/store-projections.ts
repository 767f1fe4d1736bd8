/**
 * What one store knows of its projection runners: which projection names
 * are in use (a projection runs in one runner per store, as a subscription
 * name does), which inline projections its appends must apply, and which
 * runners `store.close()` stops.
 */
import { SubscriptionAlreadyExistsError } from '../errors';
import type { AppendHook } from '../repositories/inline-append';
import { ALL_STREAM } from '../protocol';
import { subscriptionNameOf } from './projection-definition';

export interface StoppableRunner {
  stop(): Promise<void>;
}

export class StoreProjections {
  private readonly holders = new Map<string, object>();
  private readonly runners = new Set<StoppableRunner>();
  private readonly inline = new Set<AppendHook>();

  /** Reserves projection names for `holder`; throws when another runner of this store holds one. */
  reserve(holder: object, names: readonly string[]): void {
    for (const name of names) {
      const current = this.holders.get(name);
      if (current !== undefined && current !== holder) throw new SubscriptionAlreadyExistsError(ALL_STREAM, subscriptionNameOf(name));
    }
    for (const name of names) this.holders.set(name, holder);
  }

  /** Frees `names` (all of the holder's when omitted). */
  free(holder: object, names?: readonly string[]): void {
    for (const [name, current] of [...this.holders]) {
      if (current === holder && (!names || names.includes(name))) this.holders.delete(name);
    }
  }

  track(runner: StoppableRunner): void {
    this.runners.add(runner);
  }

  untrack(runner: StoppableRunner): void {
    this.runners.delete(runner);
  }

  addInline(applier: AppendHook): () => void {
    this.inline.add(applier);
    return () => this.inline.delete(applier);
  }

  /** The inline appliers, or undefined when there are none (appends then take their usual path). */
  get inlineAppliers(): readonly AppendHook[] | undefined {
    return this.inline.size > 0 ? [...this.inline] : undefined;
  }

  /** Stops every runner (the store is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.runners].map((runner) => runner.stop().catch(() => undefined)));
  }
}
