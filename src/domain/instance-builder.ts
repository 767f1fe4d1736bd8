/**
 * Stored JSON -> an instance of its class (events, aggregate snapshots),
 * WITHOUT calling the class: the instance is an empty object of the class's
 * prototype (`Object.create(cls.prototype)`), then filled from the data, and
 * so are nested `@Type` classes (see constructorless-transformer.ts). A
 * constructor that checks its arguments, or a field initialiser, does not
 * run: the data was valid when it was written, and it is the whole state.
 * (Aggregates restored from a snapshot are the exception at the top: the
 * repository makes them with their no-argument constructor, as it makes a
 * new aggregate, and `fill` assigns the snapshot's fields.)
 *
 * class-transformer does the filling for every class, but spends most of
 * its time looking up decorator metadata for each property, nested values
 * included. For a class that has no class-transformer metadata, on itself
 * or a base class (decided once per class), and data that is plain JSON,
 * its result is known, and built here directly, the same way:
 * - each own enumerable key of the data, in order, is assigned a copy of its
 *   value (arrays and plain objects are copied, deeply; no value is shared
 *   with the data);
 * - keys are left out as class-transformer leaves them out: `__proto__` and
 *   `constructor` everywhere; on the instance, the names of methods and of
 *   accessors without a setter of the class's own prototype, and of any
 *   member whose value is a function (inherited methods, `toString`, …); in
 *   nested objects, the names of `Object.prototype`'s members.
 * Anything else (a Date, Map or class instance, a function, a sparse array
 * in the data, usually put there by an upcaster) goes to class-transformer.
 */
import { buildsWithoutConstructor, plainIntoInstance, plainToNewInstance } from './constructorless-transformer';
import { hasClassTransformerMetadata } from './class-transformer-metadata';

/** A class; it is not called (except built-in types, such as a class extending Map, which need their constructor). */
type Constructor<T extends object> = new (...args: any[]) => T;

/** What `copyPlain` returns for a value that is not plain JSON. */
const NOT_PLAIN = Symbol('notPlain');

export class InstanceBuilder {
  /** Per class: whether instances can be built without class-transformer. */
  private readonly directByClass = new WeakMap<Function, boolean>();

  /** A new instance of `cls` holding the data, its constructor not called; built directly when the class and the data allow it. */
  build<T extends object>(cls: Constructor<T>, data: object): T {
    return this.assign(cls, data, undefined);
  }

  /** Assigns the data to `target`, an instance of `cls` the caller made, as `build` assigns it to a new one. */
  fill<T extends object>(cls: Constructor<T>, target: T, data: object): T {
    return this.assign(cls, data, target);
  }

  /** Whether instances of `cls` can skip class-transformer: no metadata, an ordinary prototype. */
  buildsDirectly(cls: Function): boolean {
    let direct = this.directByClass.get(cls);
    if (direct === undefined) {
      direct = cls.prototype?.constructor === cls && buildsWithoutConstructor(cls) && !hasClassTransformerMetadata(cls);
      this.directByClass.set(cls, direct);
    }
    return direct;
  }

  private assign<T extends object>(cls: Constructor<T>, data: object, target: T | undefined): T {
    if (this.buildsDirectly(cls)) {
      const instance = this.buildDirectly(cls, data, target);
      if (instance !== undefined) return instance;
    }
    return this.buildWithClassTransformer(cls, data, target);
  }

  /** The direct path: the instance (`target` when given), or undefined (and nothing changed) when the data is not plain JSON. */
  protected buildDirectly<T extends object>(cls: Constructor<T>, data: object, target?: T): T | undefined {
    if (Object.getPrototypeOf(data) !== Object.prototype || typeof (data as { then?: unknown }).then === 'function') return undefined;
    // Values are copied first: the target changes only once the data is known to be plain.
    const keys = Object.keys(data);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = copyPlain((data as Record<string, unknown>)[keys[i]]);
      if (value === NOT_PLAIN) return undefined;
      values[i] = value;
    }
    const instance = (target ?? Object.create(cls.prototype)) as Record<string, unknown>;
    // An instance of the class's own prototype, without a `constructor` of its own: a key not found on it
    // cannot be one class-transformer leaves out, and the lookups below are needed only for keys found.
    const ordinary = Object.getPrototypeOf(instance) === cls.prototype && !Object.hasOwn(instance, 'constructor');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === '__proto__' || key === 'constructor') continue;
      if ((!ordinary || key in instance) && isLeftOut(instance, key)) continue;
      instance[key] = values[i];
    }
    return instance as T;
  }

  protected buildWithClassTransformer<T extends object>(cls: Constructor<T>, data: object, target?: T): T {
    return target === undefined ? plainToNewInstance(cls, data) : plainIntoInstance(cls, target, data);
  }
}

/**
 * class-transformer's rule (plain to class) for a key it does not assign:
 * the own prototype of the target's constructor has it without a setter
 * (a method, a getter), or the target's value for it is a function.
 */
function isLeftOut(target: Record<string, unknown>, key: string): boolean {
  const prototype: unknown = (target.constructor as Function).prototype;
  if (!prototype) return false;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
  return (descriptor !== undefined && !descriptor.set) || target[key] instanceof Function;
}

/** A deep copy of a JSON value as class-transformer makes it with no type information, or NOT_PLAIN. */
function copyPlain(value: unknown): unknown {
  if (typeof value !== 'object') return typeof value === 'function' ? NOT_PLAIN : value;
  if (value === null) return null;
  if (Array.isArray(value)) return copyArray(value);
  if (Object.getPrototypeOf(value) !== Object.prototype || (value as { constructor?: unknown }).constructor !== Object) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor') continue;
    if (key in copy && isLeftOut(copy, key)) continue;
    const item = copyPlain((value as Record<string, unknown>)[key]);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}

function copyArray(array: unknown[]): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype) return NOT_PLAIN;
  const copy: unknown[] = [];
  for (let i = 0; i < array.length; i++) {
    // class-transformer skips holes (and so compacts the array): the other path's business.
    if (!(i in array)) return NOT_PLAIN;
    const item = copyPlain(array[i]);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy.push(item);
  }
  return copy;
}
