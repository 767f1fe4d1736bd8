/**
 * Aggregate state <-> snapshot data, with class-transformer. The snapshot
 * holds the aggregate's own enumerable fields (its bookkeeping is not one of
 * them; fields marked `@Exclude()` are left out too) and the snapshot
 * version of its `@Aggregate` options: a snapshot of another version, or of
 * another aggregate type, is ignored and the aggregate is rebuilt from its events.
 */
import { instanceToPlain } from 'class-transformer';
import type { SnapshotData } from '../types';
import { AggregateRoot } from './aggregate-root';
import type { InstanceBuilder } from './instance-builder';
import type { AggregateInfo } from './registry';

/** The metadata key that holds the snapshot version. */
export const SNAPSHOT_VERSION_KEY = 'snapshotVersion';

export function takeSnapshot(aggregate: AggregateRoot, info: AggregateInfo, sourceId: string): SnapshotData {
  return {
    sourceId,
    sourceVersion: aggregate.version,
    sourceType: info.name,
    data: instanceToPlain(aggregate),
    metadata: { [SNAPSHOT_VERSION_KEY]: info.snapshotVersion },
  };
}

/** Whether `snapshot` was taken by this aggregate type at its current snapshot version. */
export function isCurrentSnapshot(snapshot: SnapshotData, info: AggregateInfo): boolean {
  return snapshot.sourceType === info.name
    && snapshot.metadata?.[SNAPSHOT_VERSION_KEY] === info.snapshotVersion
    && snapshot.data !== null && typeof snapshot.data === 'object' && !Array.isArray(snapshot.data);
}

/**
 * A new aggregate holding the snapshot's fields: made with its no-argument
 * constructor, as the repository makes a new aggregate (its bookkeeping and
 * fields left out of snapshots are set up there), then given the snapshot's
 * fields; nested class instances in them are rebuilt without their
 * constructors, as events are.
 */
export function restoreSnapshot<T extends AggregateRoot>(aggregateClass: new () => T, snapshot: SnapshotData, instances: InstanceBuilder): T {
  return instances.fill(aggregateClass, new aggregateClass(), snapshot.data as Record<string, unknown>);
}
