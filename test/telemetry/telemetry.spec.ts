/**
 * OpenTelemetry: spans, trace context carried in event metadata, and metrics,
 * recorded by the SDK's in-memory exporters; and nothing changes when no SDK
 * is registered or no span is active.
 */
import { SpanStatusCode, context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, DataPoint, Histogram, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { DomainEvent, EventStore, ExpectedVersion, Handles, InvalidArgumentError, Projection, RecordedEvent } from '../../src';
import { waitUntil } from '../subscriptions/helpers';
import { caught, connectStore, disposeStore, tableCounts } from '../support/stores';

@DomainEvent('TelemetryPinged')
class Pinged {
  constructor(readonly n: number) {}
}

@Projection('telemetry-pings')
class PingCount {
  static seen: Array<{ n: number; traceId: string | undefined }> = [];

  @Handles(Pinged)
  pinged(event: Pinged): void {
    PingCount.seen.push({ n: event.n, traceId: trace.getActiveSpan()?.spanContext().traceId });
  }
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('OpenTelemetry', function () {
  this.timeout(30_000);
  let store: EventStore;

  before(async () => {
    store = await connectStore('otel');
  });
  after(() => disposeStore(store));

  it('without an SDK: appends and reads work and metadata is left as given', async () => {
    await trace.getTracer('app').startActiveSpan('request', async (span) => {
      await store.appendToStream('plain-1', ExpectedVersion.NoStream, [{ eventType: 'A', data: {}, metadata: { who: 'me' } }, { eventType: 'B', data: {} }]);
      span.end();
    });
    const events = await store.readStreamForward('plain-1');
    expect(events.map((event) => event.metadata)).to.deep.equal([{ who: 'me' }, events[1].metadata]);
    expect(JSON.stringify(events[1].metadata ?? {})).not.to.include('traceparent');
  });

  describe('with the SDK registered', () => {
    const spans = new InMemorySpanExporter();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    let reader: PeriodicExportingMetricReader;
    let tracerProvider: BasicTracerProvider;
    let meterProvider: MeterProvider;
    const named = (name: string): ReadableSpan[] => spans.getFinishedSpans().filter((span) => span.name === name);
    const app = () => trace.getTracer('app');

    before(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
      trace.setGlobalTracerProvider(tracerProvider);
      reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
      meterProvider = new MeterProvider({ readers: [reader] });
      metrics.setGlobalMeterProvider(meterProvider);
    });
    after(async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    });
    beforeEach(() => spans.reset());

    it('an append outside any span is traced, and its metadata is left as given', async () => {
      await store.appendToStream('otel-1', ExpectedVersion.NoStream, [{ eventType: 'A', data: {}, metadata: { who: 'me' } }]);
      const [append] = named('eventstore.append');
      expect(append.attributes).to.include({ 'eventstore.stream': 'otel-1', 'eventstore.count': 1, 'eventstore.stream_version': 1 });
      expect((await store.readStreamForward('otel-1'))[0].metadata).to.deep.equal({ who: 'me' });
    });

    it("an append inside the caller's span is its child, and writes the append span's traceparent into each event", async () => {
      const requestSpan = await app().startActiveSpan('request', async (span) => {
        await store.appendToStream('otel-2', ExpectedVersion.NoStream, [{ eventType: 'A', data: {}, metadata: { who: 'me' } }, { eventType: 'B', data: {} }]);
        span.end();
        return span;
      });
      const [append] = named('eventstore.append');
      expect(append.parentSpanContext?.spanId).to.equal(requestSpan.spanContext().spanId);
      const events = await store.readStreamForward('otel-2');
      const expected = `00-${append.spanContext().traceId}-${append.spanContext().spanId}-01`;
      expect(expected).to.match(TRACEPARENT);
      expect(events.map((event) => event.metadata)).to.deep.equal([{ who: 'me', traceparent: expected }, { traceparent: expected }]);
      const [read] = named('eventstore.read');
      expect(read.attributes).to.include({ 'eventstore.stream': 'otel-2', 'eventstore.count': 2 });
    });

    it('a bad append under a span fails as without telemetry, marks its span as failed and writes nothing', async () => {
      const before = await tableCounts(store.schema);
      const error = await app().startActiveSpan('request', async (span) => {
        try {
          return await caught(store.appendToStream('otel-bad', ExpectedVersion.Any, 'not events' as never));
        } finally {
          span.end();
        }
      });
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(named('eventstore.append')[0].status.code).to.equal(SpanStatusCode.ERROR);
      expect(await tableCounts(store.schema)).to.deep.equal(before);
    });

    it("a persistent subscription's handler runs in a delivery span: child of the append for one event, linked to the appends for a batch", async () => {
      const received: Array<{ events: RecordedEvent[]; traceId: string | undefined; spanId: string | undefined }> = [];
      const subscription = await store.subscribeToStream('otel-3', 'otel-deliveries', async (events, sub) => {
        const active = trace.getActiveSpan()?.spanContext();
        received.push({ events, traceId: active?.traceId, spanId: active?.spanId });
        await sub.ack(events);
      });
      try {
        await app().startActiveSpan('first', async (span) => {
          await store.appendToStream('otel-3', ExpectedVersion.NoStream, [{ eventType: 'A', data: {} }]);
          span.end();
        });
        await waitUntil(() => received.length === 1 && named('eventstore.subscription.deliver').length === 1, 'the first event is delivered');
        const [firstAppend] = named('eventstore.append');
        const [delivery] = named('eventstore.subscription.deliver');
        expect(delivery.spanContext().traceId).to.equal(firstAppend.spanContext().traceId);
        expect(delivery.parentSpanContext?.spanId).to.equal(firstAppend.spanContext().spanId);
        expect(received[0].spanId).to.equal(delivery.spanContext().spanId); // the handler runs inside it
        expect(delivery.attributes).to.include({ 'eventstore.subscription': 'otel-deliveries', 'eventstore.stream': 'otel-3', 'eventstore.count': 1, 'eventstore.position': received[0].events[0].position });
        expect(delivery.attributes['eventstore.lag_ms']).to.be.a('number').and.at.least(0);

        await subscription.unsubscribe();
        spans.reset();
        // Two appends from two traces, delivered together after a restart.
        for (const name of ['second', 'third']) {
          await app().startActiveSpan(name, async (span) => {
            await store.appendToStream('otel-3', ExpectedVersion.Any, [{ eventType: 'A', data: {} }]);
            span.end();
          });
        }
        const appends = named('eventstore.append');
        const again = await store.subscribeToStream('otel-3', 'otel-deliveries', async (events, sub) => {
          received.push({ events, traceId: undefined, spanId: undefined });
          await sub.ack(events);
        });
        await waitUntil(() => received.length === 2 && named('eventstore.subscription.deliver').length === 1, 'the batch is delivered');
        await again.unsubscribe();
        expect(received[1].events).to.have.length(2);
        const [batch] = named('eventstore.subscription.deliver');
        expect(batch.links.map((link) => link.context.spanId)).to.deep.equal(appends.map((span) => span.spanContext().spanId));
        expect(batch.attributes).to.include({ 'eventstore.count': 2, 'eventstore.position': received[1].events[1].position });
      } finally {
        await subscription.unsubscribe();
      }
    });

    it('a projection applies a one-event batch in a span whose parent is the append', async () => {
      const runner = store.projections([PingCount]);
      await runner.start();
      try {
        await app().startActiveSpan('ping', async (span) => {
          await store.appendToStream('otel-pings', ExpectedVersion.Any, [{ eventType: 'TelemetryPinged', data: { n: 1 } }]);
          span.end();
        });
        await waitUntil(() => PingCount.seen.length === 1, 'the projection applied the event');
        const append = named('eventstore.append').find((span) => span.attributes['eventstore.stream'] === 'otel-pings')!;
        await waitUntil(() => named('eventstore.projection.batch').some((span) => span.attributes['eventstore.count'] === 1), 'the batch span ended');
        const batch = named('eventstore.projection.batch').find((span) => span.attributes['eventstore.count'] === 1)!;
        expect(batch.attributes).to.include({ 'eventstore.projection': 'telemetry-pings', 'eventstore.stream': '$all' });
        expect(batch.parentSpanContext?.spanId).to.equal(append.spanContext().spanId);
        expect(PingCount.seen[0].traceId).to.equal(append.spanContext().traceId); // handlers run inside the batch span
      } finally {
        await runner.stop();
      }
    });

    it('records append latency and subscription and projection lag', async () => {
      await reader.forceFlush();
      const exported = metricExporter.getMetrics().flatMap((resource) => resource.scopeMetrics).filter((scope) => scope.scope.name === 'mikro-orm-eventstore');
      const byName = new Map(exported.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric.dataPoints as DataPoint<Histogram>[]]));
      const count = (name: string, attribute?: [string, string]) => (byName.get(name) ?? [])
        .filter((point) => !attribute || point.attributes[attribute[0]] === attribute[1])
        .reduce((sum, point) => sum + point.value.count, 0);
      expect(count('eventstore.append.duration', ['eventstore.outcome', 'ok'])).to.be.at.least(5);
      expect(count('eventstore.append.duration', ['eventstore.outcome', 'error'])).to.be.at.least(1);
      expect(count('eventstore.subscription.lag', ['eventstore.subscription', 'otel-deliveries'])).to.equal(2);
      expect(count('eventstore.projection.lag', ['eventstore.projection', 'telemetry-pings'])).to.be.at.least(1);
      expect(byName.get('eventstore.append.duration')?.[0]).to.have.nested.property('value.sum').that.is.a('number');
    });
  });
});
