/**
 * Whether class-transformer holds decorator metadata (`@Type`, `@Transform`,
 * `@Expose`, `@Exclude`, and so `@BigIntField`) for a class or one of its
 * base classes.
 *
 * class-transformer 0.5.1 keeps all of it in one `MetadataStorage`, which its
 * public API does not export, in four private maps keyed by class. This
 * module is the only place that reads them (from `class-transformer/cjs/storage`).
 * Before trusting the storage it checks its shape, and that a decorator
 * applied through the public API lands in it; when either check fails (another
 * version, another copy of the package) every class counts as decorated, so
 * instances keep being built by class-transformer itself, only slower.
 * test/domain/class-transformer-metadata.spec.ts fails in that case.
 */
import { Exclude } from 'class-transformer';

type MetadataMap = Map<unknown, Map<unknown, unknown>>;

const MAP_FIELDS = ['_typeMetadatas', '_transformMetadatas', '_exposeMetadatas', '_excludeMetadatas'] as const;

/** A class decorated through the public API, to find in the storage. */
@Exclude()
class Probe {}

/** The storage's four maps, or null when it is not the storage expected. */
const METADATA_MAPS = readMetadataMaps();

/** Whether class-transformer's metadata storage has the shape this module reads. */
export function classTransformerMetadataReadable(): boolean {
  return METADATA_MAPS !== null;
}

/** Whether the class or a base class carries class-transformer metadata (true when the storage cannot be read). */
export function hasClassTransformerMetadata(cls: Function): boolean {
  if (METADATA_MAPS === null) return true;
  // The class, then its base classes, walked as class-transformer's MetadataStorage.getAncestors walks them.
  for (let target: Function = cls; ;) {
    if (METADATA_MAPS.some((map) => (map.get(target)?.size ?? 0) > 0)) return true;
    const constructor: unknown = target.prototype?.constructor;
    if (typeof constructor !== 'function') return true; // a hand-made prototype chain: not sure, so decorated
    const base: unknown = Object.getPrototypeOf(constructor);
    if (typeof base !== 'function' || base.prototype === undefined) return false;
    target = base;
  }
}

function readMetadataMaps(): readonly MetadataMap[] | null {
  let storage: unknown;
  try {
    storage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage?: unknown }).defaultMetadataStorage;
  } catch {
    return null;
  }
  if (storage === null || typeof storage !== 'object') return null;
  const found = MAP_FIELDS.map((field) => (storage as Record<string, unknown>)[field]);
  if (!found.every((map): map is MetadataMap => map instanceof Map)) return null;
  // The storage the public decorators write to, not another copy of the package.
  const excludes = found[MAP_FIELDS.indexOf('_excludeMetadatas')];
  return excludes.has(Probe) ? found : null;
}
