/**
 * W3C trace context in event metadata: `traceparent` (and `tracestate`)
 * written on append, read back by subscriptions and projections.
 */
import { Span, SpanContext, TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import type { EventData, RecordedEvent } from '../types';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function traceparentOf(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/**
 * The events with `span`'s context in their metadata. Anything that is not a
 * well-formed event, or metadata that already carries a `traceparent`, is
 * left as it is (validation reports bad input as usual).
 */
export function withTraceContext(events: readonly EventData[], span: Span): readonly EventData[] {
  if (!Array.isArray(events)) return events;
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return events;
  const traceparent = traceparentOf(context);
  const tracestate = context.traceState?.serialize();
  return events.map((event) => {
    if (event === null || typeof event !== 'object') return event;
    const metadata = event.metadata ?? {};
    if (typeof metadata !== 'object' || Array.isArray(metadata) || 'traceparent' in metadata) return event;
    return { ...event, metadata: { ...metadata, traceparent, ...(tracestate ? { tracestate } : {}) } };
  });
}

/** The span context an event was appended under, if its metadata carries one. */
export function spanContextOf(event: RecordedEvent): SpanContext | undefined {
  const metadata = event.metadata as Record<string, unknown> | null | undefined;
  const value = metadata?.traceparent;
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const context: SpanContext = { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(context) ? context : undefined;
}
