/** OpenTelemetry for the store (spans, trace context in metadata, metrics); see docs/ecosystem.md. */
export { traceAppend, traceDelivery, traceProjectionBatch, traceRead } from './spans';
export { INSTRUMENTATION_NAME } from './instruments';
