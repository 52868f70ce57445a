/**
 * Spans recorded in memory for tests that assert on them: installs a global tracer provider that
 * exports every finished span to the returned exporter.
 *
 * @module
 */
import { trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** Makes every span end up in the returned exporter (`getFinishedSpans()`, `reset()`). */
export function recordSpans(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  return exporter;
}
