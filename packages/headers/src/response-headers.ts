import type { CacheStatus } from './cache-status.js';
import { isCacheStatus } from './cache-status.js';
import { forEachHeader, type HeaderInput } from './header-input.js';
import { PORTKEY_HEADER_PREFIX, RESPONSE_HEADER_NAMES } from './header-names.js';
import { createHeaderProblem, type HeaderProblemReason, headerProblemToError } from './header-problem.js';
import { checkHeaderValue } from './header-value-check.js';

/** What pk's gateway says about one request in its response headers (behaviour reference §2.4). */
export interface ResponseHeaderValues {
  /** The request's trace id (echoed, or generated when the request had none). */
  readonly traceId: string;
  /** The gateway's id of this request. */
  readonly requestId?: string | undefined;
  /** The provider id that served the request. */
  readonly provider?: string | undefined;
  /** JSON path of the target that answered: `config`, `config.targets[1]`, `config.targets[0].targets[2]`. */
  readonly lastUsedOptionIndex?: string | undefined;
  /** Retries after the first try; `0` when the first try answered, `-1` when every attempt was used up. */
  readonly retryAttemptCount?: number | undefined;
  /** What the cache did. */
  readonly cacheStatus?: CacheStatus | undefined;
}

/**
 * Builds the `x-portkey-*` response headers, in a stable order. `x-portkey-gateway-exception` is
 * never sent (Portkey leaks it to clients; see the README).
 *
 * @throws PkError `PK_ERR_INVALID_HEADER` for a value a header cannot carry, a retry count that is not
 *   an integer ≥ -1, or an unknown cache status.
 */
export function buildResponseHeaders(values: ResponseHeaderValues): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (header: string, value: string | undefined): void => {
    if (value === undefined) return;
    const problem = checkHeaderValue(header, value);
    if (problem !== undefined) throw headerProblemToError(problem);
    headers[header] = value;
  };
  set(RESPONSE_HEADER_NAMES.traceId, values.traceId);
  set(RESPONSE_HEADER_NAMES.requestId, values.requestId);
  set(RESPONSE_HEADER_NAMES.provider, values.provider);
  set(RESPONSE_HEADER_NAMES.lastUsedOptionIndex, values.lastUsedOptionIndex);
  const count = values.retryAttemptCount;
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= -1)) {
    throw invalid(RESPONSE_HEADER_NAMES.retryAttemptCount, 'invalid-number', 'expected an integer ≥ -1');
  }
  set(RESPONSE_HEADER_NAMES.retryAttemptCount, count === undefined ? undefined : String(count));
  const status = values.cacheStatus;
  if (status !== undefined && !isCacheStatus(status)) {
    throw invalid(
      RESPONSE_HEADER_NAMES.cacheStatus,
      'invalid-value',
      'expected one of HIT, SEMANTIC HIT, MISS, SEMANTIC MISS, REFRESH, DISABLED',
    );
  }
  set(RESPONSE_HEADER_NAMES.cacheStatus, status);
  return headers;
}

/** What {@link parseResponseHeaders} read; a missing or unreadable header is left out. */
export interface ParsedResponseHeaders {
  /** `x-portkey-trace-id`. */
  readonly traceId?: string;
  /** `x-portkey-request-id`. */
  readonly requestId?: string;
  /** `x-portkey-provider`. */
  readonly provider?: string;
  /** `x-portkey-last-used-option-index` (a JSON path). */
  readonly lastUsedOptionIndex?: string;
  /** `x-portkey-retry-attempt-count`. */
  readonly retryAttemptCount?: number;
  /** `x-portkey-cache-status`. */
  readonly cacheStatus?: CacheStatus;
  /** `x-portkey-gateway-exception: true`, which Portkey's gateway sends on its own errors. */
  readonly gatewayException?: boolean;
}

/**
 * Reads the `x-portkey-*` response headers (SDK side). Lenient: a value it cannot read is left out
 * rather than thrown, because a response is already on its way.
 */
export function parseResponseHeaders(headers: HeaderInput): ParsedResponseHeaders {
  const portkey = getPortkeyHeaders(headers);
  const read = (header: string): string | undefined => portkey[header.slice(PORTKEY_HEADER_PREFIX.length)];
  const parsed: {
    -readonly [K in keyof ParsedResponseHeaders]: ParsedResponseHeaders[K];
  } = {};
  const traceId = read(RESPONSE_HEADER_NAMES.traceId);
  if (traceId) parsed.traceId = traceId;
  const requestId = read(RESPONSE_HEADER_NAMES.requestId);
  if (requestId) parsed.requestId = requestId;
  const provider = read(RESPONSE_HEADER_NAMES.provider);
  if (provider) parsed.provider = provider;
  const index = read(RESPONSE_HEADER_NAMES.lastUsedOptionIndex);
  if (index) parsed.lastUsedOptionIndex = index;
  const count = read(RESPONSE_HEADER_NAMES.retryAttemptCount);
  if (count !== undefined && /^-?\d{1,9}$/.test(count) && Number(count) >= -1) {
    parsed.retryAttemptCount = Number(count);
  }
  const status = read(RESPONSE_HEADER_NAMES.cacheStatus)?.toUpperCase();
  if (status !== undefined && isCacheStatus(status)) parsed.cacheStatus = status;
  const exception = read(RESPONSE_HEADER_NAMES.gatewayException);
  if (exception !== undefined) parsed.gatewayException = exception.toLowerCase() === 'true';
  return parsed;
}

/**
 * Every response header whose name starts with `x-portkey-`, with the prefix removed and the name
 * lower-cased: what the official SDK's `getHeaders()` returns, e.g. `{ "trace-id": …, "cache-status": … }`.
 * Repeated headers are joined with `, `, as `fetch` does.
 */
export function getPortkeyHeaders(headers: HeaderInput): Record<string, string> {
  const portkey: Record<string, string> = {};
  forEachHeader(headers, (rawName, value) => {
    const name = rawName.toLowerCase();
    if (!name.startsWith(PORTKEY_HEADER_PREFIX)) return;
    const key = name.slice(PORTKEY_HEADER_PREFIX.length);
    const previous = portkey[key];
    portkey[key] = previous === undefined ? value.trim() : `${previous}, ${value.trim()}`;
  });
  return portkey;
}

function invalid(header: string, reason: HeaderProblemReason, detail: string): Error {
  return headerProblemToError(createHeaderProblem(header, reason, detail));
}
