/**
 * The registry of projections. `@Projection` and `@Handles` only record
 * facts here; ProjectionDefinition (and through it the runner) reads them.
 * Registrations are process-wide, like class definitions.
 */
import type { AnyClass, EventClass } from '../domain/registry';
import { DeclaredHandlers, HandlerKey, NamedClasses } from '../domain/class-registry';
import { DuplicateProjectionError } from './errors';
import type { ResolvedProjectionOptions } from './projection-options';

export interface ProjectionInfo {
  readonly name: string;
  readonly projectionClass: AnyClass;
  readonly options: ResolvedProjectionOptions;
}

export class ProjectionRegistry {
  private readonly projections = new NamedClasses<AnyClass, ProjectionInfo>((name, reason) => new DuplicateProjectionError(name, reason));
  /** `@Handles` methods: event class -> method. */
  private readonly handlers = new DeclaredHandlers<AnyClass, EventClass>('@Handles', 'handles');

  registerProjection(info: ProjectionInfo): void {
    this.projections.register(info.projectionClass, info);
  }

  projectionByClass(projectionClass: unknown): ProjectionInfo | undefined {
    return this.projections.byClassOf(projectionClass);
  }

  registerHandler(projectionClass: AnyClass, eventClass: EventClass, method: HandlerKey): void {
    this.handlers.declare(projectionClass, eventClass, method);
  }

  /** The `@Handles` methods of the class and its base classes (a subclass's own method wins). */
  handlersOf(projectionClass: AnyClass): ReadonlyMap<EventClass, HandlerKey> {
    return this.handlers.of(projectionClass);
  }
}

/** The process-wide registry the decorators write to. */
export const projectionRegistry = new ProjectionRegistry();
