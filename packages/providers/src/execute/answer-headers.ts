/**
 * The answer's headers plus the provider's own `x-ratelimit-*` (OpenAI's and the OpenAI-compatible
 * providers' remaining-quota headers), passed to the client unchanged, on every route and dialect.
 */
export function withRateLimitHeaders(
  headers: Record<string, string>,
  upstream: Readonly<Record<string, string>>,
): Record<string, string> {
  for (const name in upstream) {
    if (name.startsWith('x-ratelimit-')) headers[name] = upstream[name] as string;
  }
  return headers;
}
