/**
 * One projection as the runner sees it: its name and options, the instance
 * whose methods handle events, and which stored event types they handle.
 * A plain class: tests (and other front ends than the decorators) can
 * build one directly.
 */
import { EventClassNotRegisteredError } from '../domain/errors';
import { domainRegistry } from '../domain/registry';
import { invalidValue } from '../validation';
import { DuplicateProjectionError, ProjectionNotRegisteredError } from './errors';
import type { ProjectionBatchContext, ProjectionContext, ProjectionResetContext, ResolvedProjectionOptions } from './projection-options';
import { projectionRegistry } from './registry';

/** A `@Projection` class; the runner builds it with no constructor arguments. */
export type ProjectionClass<T extends object = object> = new () => T;

/** The subscription row that holds a projection's checkpoint. */
export function subscriptionNameOf(projection: string): string {
  return `projection:${projection}`;
}

type Handler = (event: object, ctx: ProjectionContext) => unknown;

export class ProjectionDefinition {
  /** Its persistent `$all` subscription. */
  readonly subscriptionName: string;

  constructor(
    readonly name: string,
    readonly instance: object,
    readonly options: ResolvedProjectionOptions,
    /** Stored event type -> the instance's method that handles it. */
    private readonly handlers: ReadonlyMap<string, string | symbol>,
  ) {
    this.subscriptionName = subscriptionNameOf(name);
  }

  /** The stored event types it handles: its `$all` filter. */
  get eventTypes(): string[] {
    return [...this.handlers.keys()];
  }

  handles(eventType: string): boolean {
    return this.handlers.has(eventType);
  }

  /** Runs the handler of `recorded`'s type with the event's instance. */
  async apply(event: object, ctx: ProjectionContext): Promise<void> {
    const method = this.handlers.get(ctx.event.eventType)!;
    await (this.instance as Record<string | symbol, Handler>)[method](event, ctx);
  }

  /**
   * Calls the projection's `prepare(events, ctx)` when it has one: once per
   * batch, before its handlers, which get what it returns as `ctx.prepared`.
   */
  async prepare(events: readonly object[], ctx: ProjectionBatchContext): Promise<unknown> {
    const prepare = (this.instance as { prepare?: unknown }).prepare;
    return typeof prepare === 'function' ? prepare.call(this.instance, events, ctx) : undefined;
  }

  /** Calls the projection's `reset(ctx)` when it has one. */
  async reset(ctx: ProjectionResetContext): Promise<void> {
    const reset = (this.instance as { reset?: unknown }).reset;
    if (typeof reset === 'function') await reset.call(this.instance, ctx);
  }
}

/** The definitions of a runner's projections: classes (built with no arguments) or instances of `@Projection` classes. */
export function definitionsOf(items: unknown): ProjectionDefinition[] {
  if (!Array.isArray(items) || items.length === 0) {
    throw invalidValue('projections', 'a non-empty array of @Projection classes or instances', items);
  }
  const definitions = items.map((item, index) => definitionOf(item, `projections[${index}]`));
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (seen.has(definition.name)) throw new DuplicateProjectionError(definition.name, 'given twice to one runner');
    seen.add(definition.name);
  }
  return definitions;
}

function definitionOf(item: unknown, argument: string): ProjectionDefinition {
  let instance: object;
  if (typeof item === 'function') {
    if (!projectionRegistry.projectionByClass(item)) throw new ProjectionNotRegisteredError(item.name);
    instance = new (item as ProjectionClass)();
  } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    instance = item;
  } else {
    throw invalidValue(argument, 'a @Projection class or instance', item);
  }
  const info = projectionRegistry.projectionByClass(instance.constructor);
  if (!info) throw new ProjectionNotRegisteredError(instance.constructor?.name ?? 'Object');
  const handlers = new Map<string, string | symbol>();
  for (const [eventClass, method] of projectionRegistry.handlersOf(info.projectionClass)) {
    const event = domainRegistry.eventByClass(eventClass);
    if (!event) throw new EventClassNotRegisteredError(eventClass.name);
    handlers.set(event.name, method);
  }
  return new ProjectionDefinition(info.name, instance, info.options, handlers);
}
