/** Snapshots: record (replacing one of the same or an older source version), read, delete. */
import { SnapshotNotFoundError } from '../errors';
import type { SnapshotData, WriteOptions } from '../types';
import { assertIdText, assertNonEmptyText, assertNonNegativeInteger, assertWriteOptions, invalidValue } from '../validation';
import { toJson } from '../encoding';
import { transactionOf } from './sql-runner';
import { StoreContext } from './store-context';

interface SnapshotRow {
  source_id: string;
  source_version: number;
  source_type: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
  created_at: Date;
}

export class SnapshotStore {
  constructor(private readonly context: StoreContext) {}

  async record(snapshot: SnapshotData, options: WriteOptions = {}): Promise<void> {
    if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) {
      throw invalidValue('snapshot', 'an object', snapshot);
    }
    assertIdText(snapshot.sourceId, 'snapshot.sourceId');
    assertNonNegativeInteger(snapshot.sourceVersion, 'snapshot.sourceVersion');
    assertNonEmptyText(snapshot.sourceType, 'snapshot.sourceType');
    const data = toJson(snapshot.data, 'snapshot.data');
    let metadata: string | null = null;
    if (snapshot.metadata !== undefined && snapshot.metadata !== null) {
      if (typeof snapshot.metadata !== 'object' || Array.isArray(snapshot.metadata)) {
        throw invalidValue('snapshot.metadata', 'an object', snapshot.metadata);
      }
      metadata = toJson(snapshot.metadata, 'snapshot.metadata');
    }
    assertWriteOptions(options);
    await this.context.runner.query(this.context.snapshots.record,
      [snapshot.sourceId, snapshot.sourceVersion, snapshot.sourceType, data, metadata], transactionOf(options.em));
  }

  async read(sourceId: string): Promise<SnapshotData> {
    assertIdText(sourceId, 'sourceId');
    const [row] = await this.context.runner.query<SnapshotRow>(this.context.snapshots.read, [sourceId]);
    if (!row) throw new SnapshotNotFoundError(sourceId);
    return {
      sourceId: row.source_id,
      sourceVersion: row.source_version,
      sourceType: row.source_type,
      data: row.data,
      metadata: row.metadata,
      createdAt: row.created_at,
    };
  }

  async delete(sourceId: string, options: WriteOptions = {}): Promise<void> {
    assertIdText(sourceId, 'sourceId');
    assertWriteOptions(options);
    await this.context.runner.query(this.context.snapshots.delete, [sourceId], transactionOf(options.em));
  }
}

