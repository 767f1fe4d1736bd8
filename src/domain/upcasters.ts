/**
 * Upcasters turn the stored JSON of an old schema version into the next
 * one, before the event's class instance is built. A chain v1 -> v2 -> v3
 * is three registrations; reading a v1 event of a v3 class runs the first
 * two in order. The version an event was written at is in its metadata
 * (`metadata.schemaVersion`); an event without one is version 1.
 */
import { assertFunction } from '../validation';
import { MissingUpcasterError, UnsupportedEventVersionError } from './errors';
import { DomainRegistry, Upcaster, assertSchemaVersion, assertTypeName, domainRegistry } from './registry';

/** The metadata key that holds an event's schema version. */
export const SCHEMA_VERSION_KEY = 'schemaVersion';

/** Registers `upcaster` to turn stored data of `eventType` at `fromVersion` into `fromVersion + 1`. */
export function registerUpcaster(eventType: string, fromVersion: number, upcaster: Upcaster): void {
  assertTypeName(eventType, 'eventType');
  assertSchemaVersion(fromVersion, 'fromVersion');
  assertFunction(upcaster, 'upcaster');
  domainRegistry.registerUpcaster(eventType, fromVersion, upcaster);
}

/** The schema version an event was stored at: `metadata.schemaVersion`, 1 when absent. */
export function storedSchemaVersion(eventType: string, metadata: Record<string, unknown> | null, currentVersion: number): number {
  const version = metadata?.[SCHEMA_VERSION_KEY];
  if (version === undefined || version === null) return 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > currentVersion) {
    throw new UnsupportedEventVersionError(eventType, version, currentVersion);
  }
  return version;
}

/** Runs the upcasters from `fromVersion` up to `toVersion` on a copy of `data`. */
export function upcast(
  registry: DomainRegistry,
  eventType: string,
  data: unknown,
  metadata: Record<string, unknown> | null,
  fromVersion: number,
  toVersion: number,
): unknown {
  if (fromVersion === toVersion) return data;
  // A copy, so that an upcaster that edits in place never alters the caller's RecordedEvent.
  let current = structuredClone(data);
  for (let version = fromVersion; version < toVersion; version++) {
    const upcaster = registry.upcaster(eventType, version);
    if (!upcaster) throw new MissingUpcasterError(eventType, version, toVersion);
    current = upcaster(current, { eventType, fromVersion: version, metadata });
  }
  return current;
}
