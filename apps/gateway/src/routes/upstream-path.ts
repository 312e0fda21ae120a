/**
 * The path to send upstream for a pass-through request: the request URL without its `/v1` prefix,
 * doubled slashes collapsed, query kept (`//v1//files?limit=2` → `/files?limit=2`).
 */
export function upstreamPathOf(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const collapsed = path.replace(/\/{2,}/g, '/');
  const withoutPrefix = collapsed.replace(/^\/v1(?=\/|$)/, '');
  return `${withoutPrefix === '' ? '/' : withoutPrefix}${query}`;
}
