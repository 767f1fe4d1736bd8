/**
 * Compile-time checks of the decorators' and contexts' types: `tsc -p .
 * --noEmit` (the first step of `npm test`) fails when a line marked
 * `@ts-expect-error` compiles, or when an unmarked line does not. Nothing
 * here runs (no test imports this file), so the classes are never registered.
 */
import {
  Aggregate,
  AggregateRoot,
  Apply,
  DomainEvent,
  EventStore,
  Handles,
  Projection,
  ProjectionBatchContext,
  ProjectionContext,
  RecordedEvent,
} from '../../src';

@DomainEvent('TypesItemAdded')
class ItemAdded {
  constructor(readonly sku: string, readonly qty: number) {}
}

@DomainEvent('TypesItemRemoved')
class ItemRemoved {
  constructor(readonly sku: string, readonly reason: string) {}
}

/** A base shape both events have: a handler may take it. */
interface WithSku {
  readonly sku: string;
}

@Aggregate('TypesCart')
export class Cart extends AggregateRoot {
  skus: string[] = [];

  @Apply(ItemAdded) added(e: ItemAdded): void {
    this.skus.push(e.sku);
  }

  @Apply(ItemRemoved) removed(e: WithSku): void {
    this.skus = this.skus.filter((sku) => sku !== e.sku);
  }

  // @ts-expect-error the handler takes another event class than the one it applies
  @Apply(ItemAdded) wrong(e: ItemRemoved): void {
    void e.reason;
  }

  // @ts-expect-error a handler of an event must take the event
  @Apply(ItemAdded) nothing(e: number): void {
    void e;
  }
}

type Counts = Map<string, number>;

@Projection('types-counts')
export class Counts_ {
  async prepare(events: readonly WithSku[], _ctx: ProjectionBatchContext): Promise<Counts> {
    return new Map(events.map((e) => [e.sku, 0]));
  }

  @Handles(ItemAdded) added(e: ItemAdded, ctx: ProjectionContext<Counts>): void {
    const count: number | undefined = ctx.prepared.get(e.sku);
    ctx.prepared.set(e.sku, (count ?? 0) + e.qty);
    const data: unknown = ctx.event.data;
    void data;
  }

  /** A plain ProjectionContext accepts whatever prepare gives. */
  @Handles(ItemRemoved) removed(e: ItemRemoved, ctx: ProjectionContext): void {
    void e.reason;
    void ctx.prepared;
  }

  // @ts-expect-error the handler takes another event class than the one it handles
  @Handles(ItemAdded) wrongEvent(e: ItemRemoved, ctx: ProjectionContext): void {
    void [e, ctx];
  }

  // @ts-expect-error ctx.prepared is what prepare resolves to (a Map), not a Set
  @Handles(ItemAdded) wrongPrepared(e: ItemAdded, ctx: ProjectionContext<Set<string>>): void {
    void [e, ctx];
  }
}

@Projection('types-no-prepare')
export class NoPrepare {
  @Handles(ItemAdded) added(e: ItemAdded, ctx: ProjectionContext<undefined>): void {
    void [e, ctx];
  }

  // @ts-expect-error without prepare, ctx.prepared is undefined
  @Handles(ItemRemoved) removed(e: ItemRemoved, ctx: ProjectionContext<Counts>): void {
    void [e, ctx];
  }
}

/** The store's reads are typed by what the caller knows of the data. */
export async function reads(store: EventStore): Promise<void> {
  const events: RecordedEvent<{ sku: string }>[] = await store.readStreamForward<{ sku: string }>('cart-1');
  const sku: string = events[0].data.sku;
  const all = await store.readAllForward();
  // @ts-expect-error without a type, data is unknown
  void all[0].data.sku;
  for await (const event of store.streamForward<{ sku: string }>('cart-1')) void (event.data.sku satisfies string);
  void sku;
  await store.subscribeToAllStreams<RecordedEvent<{ sku: string }>>('skus', async (batch, sub) => {
    for (const event of batch) void (event.data.sku satisfies string);
    await sub.ack(batch);
  });
}
