/**
 * The tracer and metric instruments, through @opentelemetry/api only: they do
 * nothing until the application registers an OpenTelemetry SDK.
 */
import { Histogram, MeterProvider, Tracer, metrics, trace } from '@opentelemetry/api';

export const INSTRUMENTATION_NAME = 'mikro-orm-eventstore';

export function tracer(): Tracer {
  return trace.getTracer(INSTRUMENTATION_NAME);
}

export interface Instruments {
  /** Append duration, ms. */
  appendDuration: Histogram;
  /** Age of the last event of a batch when a subscription's handler receives it, ms. */
  subscriptionLag: Histogram;
  /** Age of the last event of a projection batch when the batch is applied, ms. */
  projectionLag: Histogram;
}

let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/** Instruments of the current global meter provider (the metrics API has no proxy: re-made when it changes). */
export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    const meter = provider.getMeter(INSTRUMENTATION_NAME);
    cached = {
      provider,
      instruments: {
        appendDuration: meter.createHistogram('eventstore.append.duration', { unit: 'ms', description: 'Duration of appendToStream' }),
        subscriptionLag: meter.createHistogram('eventstore.subscription.lag', { unit: 'ms', description: 'Age of the newest event of a batch handed to a subscription handler' }),
        projectionLag: meter.createHistogram('eventstore.projection.lag', { unit: 'ms', description: 'Age of the newest event of a projection batch' }),
      },
    };
  }
  return cached.instruments;
}
