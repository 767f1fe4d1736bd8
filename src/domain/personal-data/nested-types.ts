/**
 * The classes of an event class's nested properties, as declared with
 * class-transformer's `@Type(() => Class)`: personal fields may sit in them.
 *
 * class-transformer 0.5.1 keeps `@Type` metadata in its MetadataStorage
 * (`_typeMetadatas`: class -> property -> { typeFunction }), which its public
 * API does not export. When the storage cannot be read (another version),
 * nested personal fields cannot be found, and that is an error rather than
 * plaintext written silently.
 */
import { InvalidArgumentError } from '../../errors';

interface TypeMetadata {
  typeFunction: (options?: unknown) => unknown;
}

type TypeMaps = Map<unknown, Map<string, TypeMetadata>>;

function typeMaps(): TypeMaps | null {
  try {
    const storage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage?: { _typeMetadatas?: unknown } }).defaultMetadataStorage;
    const maps = storage?._typeMetadatas;
    return maps instanceof Map ? (maps as TypeMaps) : null;
  } catch {
    return null;
  }
}

const TYPE_MAPS = typeMaps();

/** Property -> declared class, for `cls` and its base classes (the class's own declaration wins). */
export function nestedTypes(cls: Function): Map<string, Function> {
  if (TYPE_MAPS === null) {
    throw new InvalidArgumentError('@PersonalData', 'cannot read class-transformer\'s @Type metadata (unexpected class-transformer version)');
  }
  const found = new Map<string, Function>();
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const [property, metadata] of TYPE_MAPS.get(c) ?? []) {
      if (found.has(property)) continue;
      let type: unknown;
      try {
        type = metadata.typeFunction();
      } catch {
        continue; // a discriminated @Type needs the value; such properties are not searched
      }
      if (typeof type === 'function') found.set(property, type);
    }
  }
  return found;
}
