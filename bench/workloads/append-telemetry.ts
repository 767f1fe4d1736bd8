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
import { makeEvents, newStreamId } from '../fixtures';
import { quantile } from '../report/stats';
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
  async prepare({ contender, profile, state }) {
    const stream = newStreamId('otel');
    await contender.append(stream, 0, makeEvents(1, profile.eventIds));
    state.stream = stream;
    state.version = 1;
  },
  async run({ contender, profile, meter, state }, level) {
    const sdk = level === 1 ? registerSdk() : undefined;
    try {
      const stream = state.stream as string;
      const { warmup, samples, capMs } = profile.latency;
      const tracer = trace.getTracer('bench');
      const append = async () => {
        const once = () => contender.append(stream, state.version as number, makeEvents(1, profile.eventIds));
        await (sdk ? tracer.startActiveSpan('request', async (span) => once().finally(() => span.end())) : once());
        state.version = (state.version as number) + 1;
      };
      for (let i = 0; i < warmup; i++) await append();
      const times: number[] = [];
      const mark = await meter.begin();
      const deadline = Date.now() + capMs;
      while (times.length < samples && Date.now() < deadline) {
        const t = process.hrtime.bigint();
        await append();
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        sdk?.spans.reset(); // keeps memory flat
      }
      const usage = await meter.end(mark);
      times.sort((a, b) => a - b);
      return { metrics: { p50: quantile(times, 0.5), p99: quantile(times, 0.99) }, events: times.length, ops: times.length, usage };
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
