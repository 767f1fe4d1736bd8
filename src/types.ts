import type { EntityManager } from '@mikro-orm/core';

/** Expected-version constants, with commanded/eventstore's meaning. */
export const ExpectedVersion = {
  /** Append whatever the stream's version; creates the stream if needed. */
  Any: 'any',
  /** The stream must not exist yet (or exist without events). */
  NoStream: 'no_stream',
  /** The stream must exist, whatever its version. */
  StreamExists: 'stream_exists',
} as const;

/** An `ExpectedVersion` constant, or an exact version (0: the stream does not exist yet). */
export type ExpectedVersionValue = (typeof ExpectedVersion)[keyof typeof ExpectedVersion] | number;

/** An event to append. */
export interface EventData {
  eventType: string;
  /** Any JSON-serialisable value. */
  data: unknown;
  metadata?: Record<string, unknown> | null | undefined;
  /** A UUID; generated (time-ordered, v7) when absent. */
  eventId?: string | undefined;
  causationId?: string | null | undefined;
  correlationId?: string | null | undefined;
}

/** A stored event as read back. */
export interface RecordedEvent<D = unknown> {
  eventId: string;
  /** The event's number in the stream being read: its version, its `$all` position, or its place in a linked stream. */
  eventNumber: number;
  /** Its `$all` position (0 while not yet sequenced: inside the appending caller's open transaction). */
  position: number;
  /** The stream the event was appended to. */
  streamId: string;
  /** Its version in that stream. */
  streamVersion: number;
  eventType: string;
  data: D;
  metadata: Record<string, unknown> | null;
  causationId: string | null;
  correlationId: string | null;
  createdAt: Date;
}

export interface StreamInfo {
  streamId: string;
  streamVersion: number;
  createdAt: Date;
  deletedAt?: Date;
}

export interface SnapshotData<D = unknown> {
  sourceId: string;
  sourceVersion: number;
  sourceType: string;
  data: D;
  metadata?: Record<string, unknown> | null | undefined;
  createdAt?: Date | undefined;
}

/** Options of the writing calls: `em` joins the caller's MikroORM transaction. */
export interface WriteOptions {
  em?: EntityManager | undefined;
}

export interface AppendResult {
  /** The stream's version after the append. */
  streamVersion: number;
  /**
   * The `$all` position of the append's last event: known when the append
   * returns outside a caller's transaction, `null` inside one (the events
   * are numbered after the caller commits), and `null` for a link, a delete
   * or an append of no events.
   */
  position: number | null;
}

export interface DeleteOptions extends WriteOptions {
  /** Remove the stream and its events for good; needs `enableHardDeletes`. */
  hard?: boolean | undefined;
}

export interface StreamPage {
  entries: Array<StreamInfo & { status: 'created' | 'deleted' }>;
  pageNumber: number;
  pageSize: number;
  totalEntries: number;
  totalPages: number;
}

export interface PaginateStreamsOptions {
  /** 1-based; default 1. */
  page?: number | undefined;
  /** Default 50. */
  pageSize?: number | undefined;
  /** Substring of the stream id (case-sensitive, `%` and `_` match themselves). */
  search?: string | undefined;
  sortBy?: 'streamId' | 'streamVersion' | 'createdAt' | 'deletedAt' | undefined;
  sortDirection?: 'asc' | 'desc' | undefined;
}

export interface StreamReadOptions {
  /** Events per page read from the database; default 1000. */
  batchSize?: number | undefined;
  /** `$all` only: the events to read, chosen in the database. */
  filter?: ReadFilter | undefined;
}

/**
 * Which events of `$all` a read or a subscription wants, chosen in the
 * database by index: events of one of `eventTypes`, and/or of streams whose
 * id starts with `streamPrefix` (both given: both must hold).
 */
export interface ReadFilter {
  eventTypes?: readonly string[] | undefined;
  streamPrefix?: string | undefined;
}

export interface ReadAllOptions {
  /** Only the matching events; `count` counts matches. */
  filter?: ReadFilter | undefined;
}
