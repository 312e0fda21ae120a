/** Total time a target may spend waiting on `Retry-After` across its retries: 60 s (Portkey's `MAX_RETRY_LIMIT_MS`). */
export const RETRY_AFTER_BUDGET_MS = 60_000;

/** Response headers as a `Headers` object or a plain record (node's `IncomingHttpHeaders` fits). */
export type RetryAfterHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The wait an upstream asks for, in ms, or `undefined` when it asks none. Looks at `retry-after-ms`,
 * then `x-ms-retry-after-ms` (Azure), then `Retry-After` as delta-seconds or an HTTP date (compared
 * with `nowMs`, wall-clock ms since the epoch; a past date means 0). Adapters call it and put the
 * result on the failed outcome as `retryAfterMs`.
 */
export function parseRetryAfter(headers: RetryAfterHeaders, nowMs: number): number | undefined {
  const milliseconds = parseMilliseconds(
    header(headers, 'retry-after-ms') ?? header(headers, 'x-ms-retry-after-ms'),
  );
  if (milliseconds !== undefined) return milliseconds;
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date always names its month; without a letter, Date.parse would read "-5" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function parseMilliseconds(value: string | undefined): number | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || !/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return Math.round(Number(trimmed));
}

function header(headers: RetryAfterHeaders, name: string): string | undefined {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name] ?? findCaseInsensitive(record, name);
  return typeof value === 'string' ? value : value?.[0];
}

function findCaseInsensitive(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
  name: string,
): string | readonly string[] | undefined {
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return record[key];
  }
  return undefined;
}
