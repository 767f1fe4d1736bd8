/**
 * The history the growth bench loads: a fixed set of streams (100,000 by
 * default) of mixed length, interleaved in `$all` as real traffic is. Each
 * event picks its stream with a Zipf-like weight (rank^-0.5), so at 10
 * million events the shortest streams hold ~50 events and the longest
 * ~16,000; every stream grows in proportion as the store does. Event ids
 * are time-ordered (uuid v7, the library's default) from `createdAt`, which
 * advances ~12 s per event from 2022 on, as an imported history would.
 */
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { ExportedEvent } from '../../src';
import { metadata, payload, STREAM_KINDS } from './payloads';
import { Random } from './random';

const ZIPF_EXPONENT = 0.5;
const START_MS = Date.UTC(2022, 0, 1);
const STEP_MS = 12_000;

export class History {
  private readonly random: Random;
  private readonly cumulative: Float64Array;
  private readonly versions: Uint32Array;
  private readonly ids: string[];
  private produced = 0;

  /** `part` tells apart the histories loaded side by side (their streams are disjoint). */
  constructor(readonly streamCount: number, readonly part = 0) {
    this.random = new Random(20261207 + part);
    this.cumulative = new Float64Array(streamCount);
    let sum = 0;
    for (let i = 0; i < streamCount; i++) this.cumulative[i] = sum += (i + 1) ** -ZIPF_EXPONENT;
    this.versions = new Uint32Array(streamCount);
    this.ids = Array.from({ length: streamCount }, (_, i) => `${STREAM_KINDS[i % STREAM_KINDS.length]}-${this.random.hex(8)}-${part}${String(i).padStart(6, '0')}`);
  }

  /** Events written so far. */
  get events(): number {
    return this.produced;
  }

  /** The next `count` events of the history, continuing where the previous call stopped. */
  *next(count: number): Generator<ExportedEvent> {
    for (let n = 0; n < count; n++) {
      const stream = this.pickStream();
      const version = ++this.versions[stream];
      const streamId = this.ids[stream];
      const ms = START_MS + this.produced * STEP_MS + this.random.int(0, STEP_MS - 1);
      this.produced++;
      const { eventType, data } = payload(STREAM_KINDS[stream % STREAM_KINDS.length], streamId, version, this.random);
      yield {
        kind: 'event', eventId: uuidv7({ msecs: ms }), streamId, streamVersion: version, eventType, data,
        metadata: metadata(this.random), causationId: randomUUID(), correlationId: randomUUID(),
        createdAt: new Date(ms).toISOString().replace('Z', '000Z'),
      };
    }
  }

  /** Each stream's length so far. */
  lengths(): Uint32Array {
    return this.versions;
  }

  private pickStream(): number {
    const target = this.random.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface StreamLengths {
  streams: number;
  min: number;
  median: number;
  max: number;
}

/** Stream lengths over several histories, for the report. */
export function streamLengths(histories: readonly History[]): StreamLengths {
  const sorted = histories.flatMap((h) => Array.from(h.lengths())).sort((a, b) => a - b);
  return { streams: sorted.length, min: sorted[0], median: sorted[sorted.length >> 1], max: sorted[sorted.length - 1] };
}
