/**
 * `@Projection` and `@Handles`: they check their arguments and record them
 * in the projection registry, nothing more.
 */
import { EventClassNotRegisteredError } from '../domain/errors';
import { AnyClass, EventClass, assertTypeName, domainRegistry } from '../domain/registry';
import { InvalidArgumentError } from '../errors';
import { assertInstanceMethod, describe } from '../validation';
import { ProjectionOptions, resolveProjectionOptions } from './projection-options';
import type { PreparedOf, ProjectionContext } from './projection-options';
import { projectionRegistry } from './registry';

/**
 * Registers a projection class under `name` (its checkpoint is the
 * persistent `$all` subscription `projection:<name>`). Every `@Handles`
 * method must name a `@DomainEvent` class.
 */
export function Projection(name: string, options: ProjectionOptions = {}): ClassDecorator {
  assertTypeName(name, '@Projection name');
  const resolved = resolveProjectionOptions(options, '@Projection options');
  return (target) => {
    const projectionClass = target as unknown as AnyClass;
    const handlers = projectionRegistry.handlersOf(projectionClass);
    if (handlers.size === 0) throw new InvalidArgumentError('@Projection', `${target.name} has no @Handles methods`);
    // Said now rather than when the first event arrives.
    for (const eventClass of handlers.keys()) {
      if (!domainRegistry.eventByClass(eventClass)) throw new EventClassNotRegisteredError(eventClass.name);
    }
    projectionRegistry.registerProjection({ name, projectionClass, options: resolved });
  };
}

/**
 * A method decorator that accepts only handlers `(event, ctx)` whose event
 * parameter takes an instance of `E` and whose context matches what the
 * projection's `prepare` resolves to (`ProjectionContext<P>`, or plain
 * `ProjectionContext`, which accepts any).
 */
export type ProjectionHandlerDecorator<E extends EventClass> =
  <T extends object, M extends (event: InstanceType<E>, ctx: ProjectionContext<PreparedOf<T>>) => unknown>(
    target: T,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ) => void;

/** Marks the method that applies events of `eventClass` to the read model: `(event, ctx: ProjectionContext)`. */
export function Handles<E extends EventClass>(eventClass: E): ProjectionHandlerDecorator<E> {
  if (typeof eventClass !== 'function') {
    throw new InvalidArgumentError('@Handles', `expected a @DomainEvent class, got ${describe(eventClass)} (is the class defined before the projection?)`);
  }
  return (prototype, method, descriptor) => {
    const target: object = prototype;
    assertInstanceMethod('@Handles', target, method, descriptor, 'handlers');
    projectionRegistry.registerHandler(target.constructor as AnyClass, eventClass, method);
  };
}
