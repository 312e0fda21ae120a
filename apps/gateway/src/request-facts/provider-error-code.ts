/**
 * The code a log records for a provider's error, the same for an attempt, a refused request and a
 * stream that ended with one: the provider's own code (`rate_limit_exceeded`, `context_length_exceeded`),
 * else its error type (`server_error`, `overloaded_error`), else undefined.
 */
export function providerErrorCodeOf(error: {
  readonly code?: unknown;
  readonly type?: unknown;
}): string | undefined {
  if ((typeof error.code === 'string' && error.code !== '') || typeof error.code === 'number')
    return String(error.code);
  return typeof error.type === 'string' && error.type !== '' ? error.type : undefined;
}
