/**
 * class-transformer's `plainToInstance`, except that no constructor runs:
 * every object of a class (the top one and nested `@Type` classes alike) is
 * made with `Object.create(cls.prototype)` and then filled, key by key, by
 * class-transformer itself (its `@Type`, `@Transform`, `@Expose`,
 * `@Exclude`, dates and maps work as usual). Stored events must come back
 * whatever their constructors check: the data was valid when it was written.
 *
 * class-transformer 0.5.1 has no option for this. Its transformation walks
 * the data in `TransformOperationExecutor.transform(source, value, type, …)`,
 * which fills `source` when one is given instead of calling `new type()`;
 * the executor below hands it an empty instance of the class's prototype
 * at every level. This module is the only place that uses that internal
 * class (from `class-transformer/cjs/TransformOperationExecutor`). It checks
 * once, on a probe, that the trick works; when it does not (another version
 * of the package), `plainToInstance` itself is used, so constructors run as
 * class-transformer runs them, and test/domain/constructorless-transformer.spec.ts fails.
 */
import { plainToInstance, Type, TransformationType } from 'class-transformer';
import type { ClassTransformOptions } from 'class-transformer';

interface Executor {
  transform(source: unknown, value: unknown, targetType: unknown, arrayType: unknown, isMap: unknown, level?: number): unknown;
}
type ExecutorClass = new (transformationType: TransformationType, options: ClassTransformOptions) => Executor;

/** Whether instances of `cls` are made without calling it (cached: decided by the class alone). */
const withoutConstructor = new WeakMap<Function, boolean>();

/**
 * Whether an instance of `cls` can be an empty object of its prototype: a
 * class that is, or extends, a built-in type (Map, Array, Error, Date…) needs
 * its constructor to make a working instance, and gets it.
 */
export function buildsWithoutConstructor(cls: Function): boolean {
  let result = withoutConstructor.get(cls);
  if (result === undefined) {
    result = typeof cls.prototype === 'object' && cls.prototype !== null && !extendsBuiltIn(cls);
    withoutConstructor.set(cls, result);
  }
  return result;
}

function extendsBuiltIn(cls: Function): boolean {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (c !== Object && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(c))) return true;
  }
  return false;
}

/**
 * The executor that never calls a class: at the top, the given target (or
 * an empty instance); below it, an empty instance for every object of a
 * class. A `source` passed down by class-transformer (the target's current
 * value of the key) is never reused, as `plainToInstance` never reuses it.
 */
function constructorlessExecutor(Base: ExecutorClass): ExecutorClass {
  return class ConstructorlessExecutor extends Base {
    override transform(source: unknown, value: unknown, targetType: unknown, arrayType: unknown, isMap: unknown, level = 0): unknown {
      const target = level === 0 && source !== undefined ? source : emptyTarget(value, targetType, isMap);
      return super.transform(target, value, targetType, arrayType, isMap, level);
    }
  };
}

/** The object class-transformer fills for `value`, or undefined where it makes no class instance (maps, arrays, primitives, built-ins). */
function emptyTarget(value: unknown, targetType: unknown, isMap: unknown): object | undefined {
  if (isMap || typeof targetType !== 'function' || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (!buildsWithoutConstructor(targetType)) return undefined;
  return Object.create(targetType.prototype as object) as object;
}

/** `plainToInstance(cls, data)` with no constructor called. */
export function plainToNewInstance<T extends object>(cls: new (...args: any[]) => T, data: object): T {
  if (!LOADED) return plainToInstance(cls, data);
  return new LOADED.Executor(TransformationType.PLAIN_TO_CLASS, { ...LOADED.defaults }).transform(undefined, data, cls, undefined, undefined, 0) as T;
}

/** Fills `target` (an instance of `cls`) from `data` as `plainToNewInstance` fills a new one. */
export function plainIntoInstance<T extends object>(cls: new (...args: any[]) => T, target: T, data: object): T {
  if (!LOADED) return Object.assign(target, plainToInstance(cls, data));
  return new LOADED.Executor(TransformationType.PLAIN_TO_CLASS, { ...LOADED.defaults }).transform(target, data, cls, undefined, undefined, 0) as T;
}

/** Whether class-transformer's internals have the shape used here (false: constructors run). */
export function constructorlessTransformerAvailable(): boolean {
  return LOADED !== null;
}

/** A probe: a class, nested in a class, both refusing to be called. */
class ProbeInner {
  value!: number;

  constructor() {
    throw new Error('called');
  }
}
class ProbeOuter {
  @Type(() => ProbeInner) inner!: ProbeInner;

  constructor() {
    throw new Error('called');
  }
}

/** The executor and the options `plainToInstance` starts from; null when the probe fails. */
const LOADED = load();

function load(): { Executor: ExecutorClass; defaults: ClassTransformOptions } | null {
  try {
    const { TransformOperationExecutor } = require('class-transformer/cjs/TransformOperationExecutor') as { TransformOperationExecutor?: unknown };
    const { defaultOptions } = require('class-transformer/cjs/constants/default-options.constant') as { defaultOptions?: unknown };
    if (typeof TransformOperationExecutor !== 'function' || typeof TransformOperationExecutor.prototype?.transform !== 'function') return null;
    if (defaultOptions === null || typeof defaultOptions !== 'object') return null;
    const Executor = constructorlessExecutor(TransformOperationExecutor as ExecutorClass);
    const defaults = defaultOptions as ClassTransformOptions;
    const built = new Executor(TransformationType.PLAIN_TO_CLASS, { ...defaults })
      .transform(undefined, { inner: { value: 1 } }, ProbeOuter, undefined, undefined, 0) as ProbeOuter;
    const works = Object.getPrototypeOf(built) === ProbeOuter.prototype && Object.getPrototypeOf(built.inner) === ProbeInner.prototype && built.inner.value === 1;
    return works ? { Executor, defaults } : null;
  } catch {
    return null;
  }
}
