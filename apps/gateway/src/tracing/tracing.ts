import type { OtelTracing } from './otel-tracer.js';

/**
 * Starts span export when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
 * set: the OpenTelemetry SDK is imported here, on demand, so a gateway without it loads no
 * `@opentelemetry/*` module (a test checks `require.cache` and the ESM loader's list).
 */
export async function startTracing(
  serviceVersion?: string,
  onExportFailure?: (spans: number, reason: string) => void,
): Promise<OtelTracing> {
  const { createOtelTracing } = await import('./otel-tracer.js');
  return createOtelTracing({
    ...(serviceVersion ? { serviceVersion } : {}),
    ...(onExportFailure ? { onExportFailure } : {}),
  });
}
