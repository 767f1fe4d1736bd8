import { expect } from 'chai';
import { TraceFlags, createTraceState, trace } from '@opentelemetry/api';
import type { EventData, RecordedEvent } from '../../src';
import { spanContextOf, traceparentOf, withTraceContext } from '../../src/telemetry/trace-context';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';
const sampled = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
const TRACEPARENT = `00-${traceId}-${spanId}-01`;

const recorded = (metadata: Record<string, unknown> | null) => ({ metadata }) as RecordedEvent;

describe('trace context in event metadata', () => {
  it('writes a W3C traceparent, sampled or not', () => {
    expect(traceparentOf(sampled)).to.equal(TRACEPARENT);
    expect(traceparentOf({ ...sampled, traceFlags: TraceFlags.NONE })).to.equal(`00-${traceId}-${spanId}-00`);
  });

  it('adds the span\'s context to each event\'s metadata, tracestate included, without changing the caller\'s events', () => {
    const span = trace.wrapSpanContext({ ...sampled, traceState: createTraceState('vendor=abc') });
    const events: EventData[] = [{ eventType: 'A', data: 1 }, { eventType: 'B', data: 2, metadata: { by: 'me' } }];
    const traced = withTraceContext(events, span);
    expect(traced.map((e) => e.metadata)).to.deep.equal([
      { traceparent: TRACEPARENT, tracestate: 'vendor=abc' },
      { by: 'me', traceparent: TRACEPARENT, tracestate: 'vendor=abc' },
    ]);
    expect(events[1].metadata).to.deep.equal({ by: 'me' });
  });

  it('keeps a traceparent the event already carries, and leaves bad input for validation to report', () => {
    const span = trace.wrapSpanContext(sampled);
    const own = { eventType: 'A', data: 1, metadata: { traceparent: 'mine' } };
    const bad = [null, { eventType: 'A', data: 1, metadata: 'text' }] as unknown as EventData[];
    const traced = withTraceContext([own, ...bad], span);
    expect(traced[0]).to.equal(own);
    expect(traced.slice(1)).to.deep.equal(bad);
    expect(withTraceContext('not events' as never, span)).to.equal('not events');
  });

  it('adds nothing without a valid span context', () => {
    const events: EventData[] = [{ eventType: 'A', data: 1 }];
    expect(withTraceContext(events, trace.wrapSpanContext({ ...sampled, traceId: '0'.repeat(32) }))).to.equal(events);
  });

  it('reads the context an event was appended under', () => {
    expect(spanContextOf(recorded({ traceparent: TRACEPARENT }))).to.deep.equal({ ...sampled, isRemote: true });
    expect(spanContextOf(recorded({ traceparent: `00-${traceId}-${spanId}-03` }))!.traceFlags, 'only the sampled flag is kept').to.equal(TraceFlags.SAMPLED);
  });

  for (const [label, metadata] of [
    ['no metadata', null],
    ['no traceparent', { by: 'me' }],
    ['a traceparent that is not a string', { traceparent: 1 }],
    ['another version', { traceparent: `01-${traceId}-${spanId}-01` }],
    ['upper-case hex', { traceparent: `00-${traceId.toUpperCase()}-${spanId}-01` }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${spanId}-01` }],
  ] as const) {
    it(`reads no context from ${label}`, () => expect(spanContextOf(recorded(metadata as Record<string, unknown> | null))).to.equal(undefined));
  }
});
