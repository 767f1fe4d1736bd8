/**
 * Which subjects' plaintext each aggregate instance holds (from the events
 * and the snapshot it was loaded from, and the events it raised), so that
 * its snapshot is sealed under those subjects' keys. Kept beside the
 * instance, for as long as the instance lives.
 */
import type { SubjectKeys } from './personal-data';

const byAggregate = new WeakMap<object, SubjectKeys>();

export function subjectKeysOf(aggregate: object): SubjectKeys {
  let keys = byAggregate.get(aggregate);
  if (!keys) byAggregate.set(aggregate, (keys = new Map()));
  return keys;
}
