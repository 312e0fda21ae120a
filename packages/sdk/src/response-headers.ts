import { getPortkeyHeaders } from '@pk/headers';

/** What pk adds to every non-streamed JSON result, as the official SDK does. */
export interface PortkeyResponseExtras {
  /**
   * The response's `x-portkey-*` headers without the prefix: `trace-id`, `provider`,
   * `last-used-option-index`, `retry-attempt-count`, `cache-status`, `request-id` …
   */
  getHeaders(): Record<string, string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Adds a non-enumerable `getHeaders()` to a parsed JSON object (so `JSON.stringify` and equality
 * checks see the API's fields only). Streams, pages, binary responses and text are left alone.
 */
export function withGetHeaders<T>(data: T, response: Response): T {
  if (!isPlainObject(data) || Object.hasOwn(data, 'getHeaders')) return data;
  const headers = getPortkeyHeaders(response.headers);
  Object.defineProperty(data, 'getHeaders', {
    value: (): Record<string, string> => ({ ...headers }),
    enumerable: false,
  });
  return data;
}
