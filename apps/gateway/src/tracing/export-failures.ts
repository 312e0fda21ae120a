/** How often, at most, a failing span export is said in a warning line (ms). */
export const EXPORT_WARNING_INTERVAL_MS = 60_000;

/**
 * Why an export of spans failed, for a log line: the collector's HTTP status and status text, or the
 * network error's message, at most 200 characters. Never the collector's answer body (it may echo
 * the request's headers, `OTEL_EXPORTER_OTLP_HEADERS` and their token included).
 */
export function exportFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const status = (error as { code?: unknown }).code;
  const reason =
    typeof status === 'number' ? `HTTP ${status}${error.message ? ` ${error.message}` : ''}` : error.message;
  return (reason || error.name).slice(0, 200);
}

/**
 * Says failed span exports in warning lines: the first at once, then at most one per
 * {@link EXPORT_WARNING_INTERVAL_MS}, with the spans dropped since the last one said (a collector
 * that is down fails every batch: one line per batch would flood the log).
 */
export function createExportFailureWarning(
  warn: (message: string) => void,
  now: () => number = Date.now,
): (spans: number, reason: string) => void {
  let unsaid = 0;
  let saidAt: number | undefined;
  return (spans, reason) => {
    unsaid += spans;
    const time = now();
    if (saidAt !== undefined && time - saidAt < EXPORT_WARNING_INTERVAL_MS) return;
    saidAt = time;
    warn(
      `traces: ${unsaid} span(s) could not be exported to the OTLP collector (${reason}) and were dropped; pk_spans_dropped_total counts them (said at most once a minute)`,
    );
    unsaid = 0;
  };
}
