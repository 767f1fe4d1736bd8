/** Checks one import record's shape, and the order of versions and event ids across the import. */
import { ExportRecord, ImportError } from './exported-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RecordChecker {
  private readonly eventIds = new Set<string>();
  /** Last version seen per stream, own events and links apart (links come after all events). */
  private readonly lastEventVersion = new Map<string, number>();
  private readonly lastLinkVersion = new Map<string, number>();

  check(value: unknown, line: number): ExportRecord {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImportError('missing_field', line, 'a record must be a JSON object');
    const r = value as Record<string, unknown>;
    const field = (name: string, ok: (v: unknown) => boolean, expected: string): void => {
      if (!ok(r[name])) throw new ImportError('missing_field', line, `${name}: expected ${expected}, got ${JSON.stringify(r[name]) ?? 'nothing'}`);
    };
    const uuid = (v: unknown) => typeof v === 'string' && UUID.test(v);
    const optionalUuid = (v: unknown) => v === null || v === undefined || uuid(v);
    field('kind', (v) => v === 'event' || v === 'link', '"event" or "link"');
    field('streamId', (v) => typeof v === 'string' && v.length > 0, 'a stream id');
    field('streamVersion', (v) => Number.isSafeInteger(v) && (v as number) >= 1, 'a version >= 1');
    field('eventId', uuid, 'a UUID');
    const streamId = r.streamId as string;
    const version = r.streamVersion as number;
    const eventId = (r.eventId as string).toLowerCase();
    if (r.kind === 'link') {
      this.checkOrder(this.lastLinkVersion, streamId, version, line);
      return { kind: 'link', streamId, streamVersion: version, eventId };
    }
    field('eventType', (v) => typeof v === 'string' && v.length > 0, 'an event type');
    field('data', (v) => v !== undefined, 'JSON data');
    field('causationId', optionalUuid, 'a UUID or null');
    field('correlationId', optionalUuid, 'a UUID or null');
    field('createdAt', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)), 'an ISO 8601 timestamp');
    if (this.eventIds.has(eventId)) throw new ImportError('duplicate_event', line, `event ${eventId} appears twice`);
    this.checkOrder(this.lastEventVersion, streamId, version, line);
    this.eventIds.add(eventId);
    return {
      kind: 'event', eventId, streamId, streamVersion: version, eventType: r.eventType as string, data: r.data,
      metadata: r.metadata ?? null, causationId: (r.causationId as string | null | undefined) ?? null,
      correlationId: (r.correlationId as string | null | undefined) ?? null, createdAt: r.createdAt as string,
    };
  }

  private checkOrder(last: Map<string, number>, streamId: string, version: number, line: number): void {
    const previous = last.get(streamId);
    if (previous === version) throw new ImportError('duplicate_version', line, `stream ${streamId} has version ${version} twice`);
    if (previous !== undefined && version < previous) {
      throw new ImportError('version_order', line, `stream ${streamId}: version ${version} after version ${previous}`);
    }
    last.set(streamId, version);
  }
}
