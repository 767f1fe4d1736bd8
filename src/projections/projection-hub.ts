/**
 * What one store knows of its projection runners: which projection names
 * are in use (a projection runs in one runner per store, as a subscription
 * name does), which inline projections its appends must apply, and which
 * runners `store.close()` stops.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { SubscriptionAlreadyExistsError } from '../errors';
import type { RecordedEvent } from '../types';
import { ALL_STREAM } from '../validation';
import { subscriptionNameOf } from './projection-definition';

/** Applies just-appended events (no `$all` positions yet) inside the append's transaction. */
export interface InlineApplier {
  /** Whether one of these event types is handled (appends of other events take their usual path). */
  handlesAny(eventTypes: readonly string[]): boolean;
  apply(em: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
}

export interface StoppableRunner {
  stop(): Promise<void>;
}

export class ProjectionHub {
  private readonly holders = new Map<string, object>();
  private readonly runners = new Set<StoppableRunner>();
  private readonly inline = new Set<InlineApplier>();

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

  addInline(applier: InlineApplier): () => void {
    this.inline.add(applier);
    return () => this.inline.delete(applier);
  }

  /** The inline appliers, or undefined when there are none (appends then take their usual path). */
  get inlineAppliers(): readonly InlineApplier[] | undefined {
    return this.inline.size > 0 ? [...this.inline] : undefined;
  }

  /** Stops every runner (the store is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.runners].map((runner) => runner.stop().catch(() => undefined)));
  }
}
