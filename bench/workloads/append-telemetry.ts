/**
 * The cost of OpenTelemetry on appends: single-event append latency with no
 * SDK registered (level 0) and with an SDK recording every span and metric
 * (level 1, each append inside an active span, so that trace context is
 * also written into the events). Contenders that do not use OpenTelemetry
 * show the noise between the two levels.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { appendNext, prepareLatencyStream, sampleAppendLatency } from './append-latency';
import { Workload } from './workload';

export const appendTelemetryWorkload: Workload = {
  key: 'append-telemetry',
  title: 'single-event append latency, OpenTelemetry SDK off (0) / on (1)',
  levelName: 'SDK',
  metrics: [
    { key: 'p50', label: 'p50 ms', unit: 'ms', higherIsBetter: false },
    { key: 'p99', label: 'p99 ms', unit: 'ms', higherIsBetter: false },
  ],
  levels: () => [0, 1],
  prepare: (ctx) => prepareLatencyStream(ctx, 'otel'),
  async run({ contender, profile, meter, state }, level) {
    const sdk = level === 1 ? registerSdk() : undefined;
    try {
      const tracer = trace.getTracer('bench');
      const once = () => appendNext(contender, state, profile.eventIds);
      const append = () => (sdk ? tracer.startActiveSpan('request', async (span) => once().finally(() => span.end())) : once());
      // Resetting the exporter keeps memory flat.
      return await sampleAppendLatency(profile.latency, meter, append, () => sdk?.spans.reset());
    } finally {
      await sdk?.unregister();
    }
  },
};

function registerSdk() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meterProvider = new MeterProvider();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans,
    async unregister() {
      trace.disable();
      metrics.disable();
      context.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
