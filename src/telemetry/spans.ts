/**
 * Spans around the store's outer edges: appends, reads, a subscription
 * handing a batch to its handler, a projection applying a batch. Attribute
 * names are prefixed `eventstore.`; lag is the age of a batch's newest event.
 */
import { Attributes, Context, Link, Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { EventData, RecordedEvent } from '../types';
import { ALL_STREAM } from '../protocol';
import { instruments, tracer } from './instruments';
import { spanContextOf, withTraceContext } from './trace-context';

/** Runs an append in an `eventstore.append` span; the events carry its context when the caller has an active span. */
export function traceAppend<R extends { streamVersion: number; position?: number | null }>(
  streamId: string,
  events: readonly EventData[],
  append: (events: readonly EventData[]) => Promise<R>,
): Promise<R> {
  const traced = trace.getActiveSpan() !== undefined;
  const started = performance.now();
  const attributes: Attributes = { 'eventstore.stream': streamId, 'eventstore.count': Array.isArray(events) ? events.length : 0 };
  return tracer().startActiveSpan('eventstore.append', { kind: SpanKind.PRODUCER, attributes }, async (span) => {
    let outcome = 'error';
    try {
      const result = await append(traced ? withTraceContext(events, span) : events);
      span.setAttribute('eventstore.stream_version', result.streamVersion);
      if (typeof result.position === 'number') span.setAttribute('eventstore.position', result.position);
      outcome = 'ok';
      return result;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
      instruments().appendDuration.record(performance.now() - started, { 'eventstore.outcome': outcome });
    }
  });
}

/** Runs a read in an `eventstore.read` span with the stream and the number of events read. */
export function traceRead(streamId: string, read: () => Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
  return tracer().startActiveSpan('eventstore.read', { kind: SpanKind.CLIENT, attributes: { 'eventstore.stream': streamId } }, async (span) => {
    try {
      const events = await read();
      span.setAttribute('eventstore.count', events.length);
      if (events.length > 0) span.setAttribute('eventstore.position', events[events.length - 1].position);
      return events;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Calls a subscription handler with a batch in an `eventstore.subscription.deliver`
 * span: child of the appending span for a one-event batch, linked to them otherwise.
 * Returns what `handle` returns; the span ends when that settles.
 */
export function traceDelivery(subscription: string | undefined, streamId: string, events: readonly RecordedEvent[], handle: () => unknown): unknown {
  const lag = lagOf(events);
  if (lag !== undefined) instruments().subscriptionLag.record(lag, { 'eventstore.subscription': subscription ?? '(transient)' });
  return inBatchSpan('eventstore.subscription.deliver', { 'eventstore.subscription': subscription ?? '', 'eventstore.stream': streamId }, events, lag, handle);
}

/** Applies a projection batch in an `eventstore.projection.batch` span (see traceDelivery). */
export function traceProjectionBatch<R>(projection: string, events: readonly RecordedEvent[], apply: () => Promise<R>): Promise<R> {
  const lag = lagOf(events);
  if (lag !== undefined) instruments().projectionLag.record(lag, { 'eventstore.projection': projection });
  return inBatchSpan('eventstore.projection.batch', { 'eventstore.projection': projection, 'eventstore.stream': ALL_STREAM }, events, lag, apply) as Promise<R>;
}

function inBatchSpan(name: string, attributes: Attributes, events: readonly RecordedEvent[], lag: number | undefined, run: () => unknown): unknown {
  const origins = events.map(spanContextOf).filter((origin) => origin !== undefined);
  const parent: Context = events.length === 1 && origins.length === 1 ? trace.setSpanContext(context.active(), origins[0]) : context.active();
  const links: Link[] = events.length === 1 ? [] : origins.map((origin) => ({ context: origin }));
  const span = tracer().startSpan(name, {
    kind: SpanKind.CONSUMER,
    links,
    attributes: {
      ...attributes,
      'eventstore.count': events.length,
      ...(events.length > 0 ? { 'eventstore.position': events[events.length - 1].position } : {}),
      ...(lag !== undefined ? { 'eventstore.lag_ms': lag } : {}),
    },
  }, parent);
  let result: unknown;
  try {
    result = context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    failed(span, error);
    span.end();
    throw error;
  }
  if (!(result instanceof Promise)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(span, error);
      span.end();
      throw error;
    },
  );
}

function lagOf(events: readonly RecordedEvent[]): number | undefined {
  const newest = events[events.length - 1]?.createdAt;
  return newest instanceof Date ? Math.max(0, Date.now() - newest.getTime()) : undefined;
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
