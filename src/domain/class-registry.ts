/**
 * The registry mechanism the decorators share: classes registered under
 * names (domain events, aggregates, projections) and handler methods
 * declared per class (`@Apply`, `@Handles`). The registries of domain/ and
 * projections/ are built of these.
 */
import { InvalidArgumentError } from '../errors';

// Decorated classes may take constructor arguments: `any` keeps them assignable.
type RegisteredClass = abstract new (...args: any[]) => unknown;

export type HandlerKey = string | symbol;

/**
 * One name per class and one class per name. `refuse(name, reason)` builds
 * the error for a name taken by another class, or a class registered under
 * another name; registering the same pair again is allowed.
 */
export class NamedClasses<C extends RegisteredClass, I extends { readonly name: string }> {
  private readonly byName = new Map<string, { cls: C; info: I }>();
  private readonly byClass = new Map<C, I>();

  constructor(private readonly refuse: (name: string, reason: string) => Error) {}

  /** Throws when `name` or `cls` is taken otherwise; `check` runs before anything is recorded. */
  register(cls: C, info: I, check?: () => void): void {
    const byName = this.byName.get(info.name);
    if (byName && byName.cls !== cls) throw this.refuse(info.name, `already registered by class ${byName.cls.name}, now by ${cls.name}`);
    const byClass = this.byClass.get(cls);
    if (byClass && byClass.name !== info.name) {
      throw this.refuse(info.name, `class ${cls.name} is already registered as ${JSON.stringify(byClass.name)}`);
    }
    check?.();
    this.byName.set(info.name, { cls, info });
    this.byClass.set(cls, info);
  }

  byNameOf(name: string): I | undefined {
    return this.byName.get(name)?.info;
  }

  byClassOf(cls: unknown): I | undefined {
    return this.byClass.get(cls as C);
  }
}

/**
 * Handler methods declared on each class (`decorator` names it in errors:
 * one method per event class and class), merged along the class chain
 * with a subclass's own method first.
 */
export class DeclaredHandlers<C extends RegisteredClass, E extends RegisteredClass> {
  private readonly declared = new Map<C, Map<E, HandlerKey>>();
  /** Merged along class chains; derived, built on first use. */
  private readonly merged = new Map<C, Map<E, HandlerKey>>();

  constructor(private readonly decorator: string, private readonly verb: string) {}

  declare(cls: C, eventClass: E, method: HandlerKey): void {
    let handlers = this.declared.get(cls);
    if (!handlers) this.declared.set(cls, (handlers = new Map()));
    const existing = handlers.get(eventClass);
    if (existing !== undefined && existing !== method) {
      throw new InvalidArgumentError(this.decorator, `${cls.name} already ${this.verb} ${eventClass.name} in ${String(existing)}; ` +
        `${String(method)} would be a second handler`);
    }
    handlers.set(eventClass, method);
    this.merged.clear();
  }

  /** The methods of the class and its base classes, by event class. */
  of(cls: C): ReadonlyMap<E, HandlerKey> {
    let merged = this.merged.get(cls);
    if (merged) return merged;
    merged = new Map();
    for (let current: unknown = cls; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
      for (const [eventClass, method] of this.declared.get(current as C) ?? []) {
        if (!merged.has(eventClass)) merged.set(eventClass, method);
      }
    }
    this.merged.set(cls, merged);
    return merged;
  }
}
