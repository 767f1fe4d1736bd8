/**
 * Checks one import record's shape, and across the import the order of
 * each stream's versions (events and links together: one after the other,
 * without a gap) and that event ids are unique. Where a stream's first
 * record must begin (1, its truncation, or the store's version + 1) is
 * checked against the store, chunk by chunk (export-import.sql.ts).
 */
import { ExportRecord, ImportError } from './exported-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RecordChecker {
  private readonly eventIds = new Set<string>();
  /** Per stream, the version its next record must have. */
  private readonly nextVersion = new Map<string, number>();

  check(value: unknown, line: number): ExportRecord {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportError('missing_field', line, 'a record must be a JSON object');
    const r = value as Record<string, unknown>;
    const field = (name: string, ok: (v: unknown) => boolean, expected: string): void => {
      if (!ok(r[name])) throw new ImportError('missing_field', line, `${name}: expected ${expected}, got ${JSON.stringify(r[name]) ?? 'nothing'}`);
    };
    const uuid = (v: unknown) => typeof v === 'string' && UUID.test(v);
    const optionalUuid = (v: unknown) => v === null || v === undefined || uuid(v);
    const version = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
    field('kind', (v) => v === 'event' || v === 'link' || v === 'gap' || v === 'truncated', '"event", "link", "gap" or "truncated"');
    field('streamId', (v) => typeof v === 'string' && v.length > 0, 'a stream id');
    const streamId = r.streamId as string;
    if (r.kind === 'truncated') {
      field('beforeVersion', version, 'a version >= 1');
      const beforeVersion = r.beforeVersion as number;
      if (this.nextVersion.has(streamId)) {
        throw new ImportError('version_order', line, `stream ${streamId}: its truncation comes after its records`);
      }
      this.nextVersion.set(streamId, beforeVersion);
      return { kind: 'truncated', streamId, beforeVersion };
    }
    field('streamVersion', version, 'a version >= 1');
    const streamVersion = r.streamVersion as number;
    if (r.kind === 'gap') {
      field('count', version, 'a count >= 1');
      const count = r.count as number;
      this.checkOrder(streamId, streamVersion, line);
      this.nextVersion.set(streamId, streamVersion + count);
      return { kind: 'gap', streamId, streamVersion, count };
    }
    field('eventId', uuid, 'a UUID');
    const eventId = (r.eventId as string).toLowerCase();
    if (r.kind === 'link') {
      this.checkOrder(streamId, streamVersion, line);
      return { kind: 'link', streamId, streamVersion, eventId };
    }
    field('eventType', (v) => typeof v === 'string' && v.length > 0, 'an event type');
    field('data', (v) => v !== undefined, 'JSON data');
    field('causationId', optionalUuid, 'a UUID or null');
    field('correlationId', optionalUuid, 'a UUID or null');
    field('createdAt', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)), 'an ISO 8601 timestamp');
    if (this.eventIds.has(eventId)) throw new ImportError('duplicate_event', line, `event ${eventId} appears twice`);
    this.checkOrder(streamId, streamVersion, line);
    this.eventIds.add(eventId);
    return {
      kind: 'event', eventId, streamId, streamVersion, eventType: r.eventType as string, data: r.data,
      metadata: r.metadata ?? null, causationId: (r.causationId as string | null | undefined) ?? null,
      correlationId: (r.correlationId as string | null | undefined) ?? null, createdAt: r.createdAt as string,
    };
  }

  private checkOrder(streamId: string, version: number, line: number): void {
    const next = this.nextVersion.get(streamId);
    if (next !== undefined && version !== next) {
      if (version === next - 1) throw new ImportError('duplicate_version', line, `stream ${streamId} has version ${version} twice`);
      if (version < next) throw new ImportError('version_order', line, `stream ${streamId}: version ${version} after version ${next - 1}`);
      throw new ImportError('version_gap', line, `stream ${streamId}: version ${version} after version ${next - 1} (${next === version - 1 ? `version ${next} is` : `versions ${next}-${version - 1} are`} missing)`);
    }
    this.nextVersion.set(streamId, version + 1);
  }
}
