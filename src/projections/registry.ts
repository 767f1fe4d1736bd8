/**
 * The registry of projections. `@Projection` and `@Handles` only record
 * facts here; ProjectionDefinition (and through it the runner) reads them.
 * Registrations are process-wide, like class definitions.
 */
import type { AnyClass, EventClass } from '../domain/registry';
import { InvalidArgumentError } from '../errors';
import { DuplicateProjectionError } from './errors';
import type { ResolvedProjectionOptions } from './projection-options';

type HandlerKey = string | symbol;

export interface ProjectionInfo {
  readonly name: string;
  readonly projectionClass: AnyClass;
  readonly options: ResolvedProjectionOptions;
}

export class ProjectionRegistry {
  private readonly byClass = new Map<AnyClass, ProjectionInfo>();
  private readonly byName = new Map<string, ProjectionInfo>();
  /** `@Handles` methods declared on each class itself: event class -> method. */
  private readonly declared = new Map<AnyClass, Map<EventClass, HandlerKey>>();

  registerProjection(info: ProjectionInfo): void {
    const byName = this.byName.get(info.name);
    if (byName && byName.projectionClass !== info.projectionClass) {
      throw new DuplicateProjectionError(info.name, `already registered by class ${byName.projectionClass.name}, now by ${info.projectionClass.name}`);
    }
    const byClass = this.byClass.get(info.projectionClass);
    if (byClass && byClass.name !== info.name) {
      throw new DuplicateProjectionError(info.name, `class ${info.projectionClass.name} is already registered as ${JSON.stringify(byClass.name)}`);
    }
    this.byClass.set(info.projectionClass, info);
    this.byName.set(info.name, info);
  }

  projectionByClass(projectionClass: unknown): ProjectionInfo | undefined {
    return this.byClass.get(projectionClass as AnyClass);
  }

  registerHandler(projectionClass: AnyClass, eventClass: EventClass, method: HandlerKey): void {
    let handlers = this.declared.get(projectionClass);
    if (!handlers) this.declared.set(projectionClass, (handlers = new Map()));
    const existing = handlers.get(eventClass);
    if (existing !== undefined && existing !== method) {
      throw new InvalidArgumentError('@Handles', `${projectionClass.name} already handles ${eventClass.name} in ${String(existing)}; ` +
        `${String(method)} would be a second handler`);
    }
    handlers.set(eventClass, method);
  }

  /** The `@Handles` methods of the class and its base classes (a subclass's own method wins). */
  handlersOf(projectionClass: AnyClass): Map<EventClass, HandlerKey> {
    const merged = new Map<EventClass, HandlerKey>();
    for (let cls: unknown = projectionClass; typeof cls === 'function' && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
      for (const [eventClass, method] of this.declared.get(cls as AnyClass) ?? []) {
        if (!merged.has(eventClass)) merged.set(eventClass, method);
      }
    }
    return merged;
  }
}

/** The process-wide registry the decorators write to. */
export const projectionRegistry = new ProjectionRegistry();
