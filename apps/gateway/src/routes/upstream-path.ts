/**
 * The path to send upstream for a pass-through request: the request URL without its `/v1` prefix,
 * doubled slashes collapsed, query kept (`//v1//files?limit=2` → `/files?limit=2`). Check the URL
 * with {@link unsafePathProblemOf} first.
 */
export function upstreamPathOf(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const collapsed = path.replace(/\/{2,}/g, '/');
  const withoutPrefix = collapsed.replace(/^\/v1(?=\/|$)/, '');
  return `${withoutPrefix === '' ? '/' : withoutPrefix}${query}`;
}

/** How many times a segment is percent-decoded when looking for a hidden dot segment or slash. */
const DECODE_ROUNDS = 3;

/**
 * Why a pass-through URL may not be sent upstream, or `undefined` when it may. The upstream URL is the
 * provider's base URL joined with this path, and URL parsers (undici, WHATWG) resolve `.` and `..`
 * segments, `%2e%2e` included, and read `\` as `/`: `/v1/files/../../deployments/other/…` would leave
 * the base path a virtual key pins (an Azure deployment, say). So the path (not the query) may not
 * hold a dot segment, a backslash, or a slash or backslash in percent-encoded form, however many times
 * encoded (a server that decodes twice would see `%252e%252e` as `..`).
 */
export function unsafePathProblemOf(url: string): string | undefined {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  // The common case, one scan: nothing that could hide a dot segment or a slash.
  if (!path.includes('.') && !path.includes('%') && !path.includes('\\')) return undefined;
  if (path.includes('\\')) return 'the path contains a backslash, which pk does not send upstream';
  for (const segment of path.split('/')) {
    let decoded = segment;
    for (let round = 0; round <= DECODE_ROUNDS; round += 1) {
      if (decoded === '.' || decoded === '..') {
        return 'the path contains a dot segment ("." or "..", however encoded), which pk does not send upstream';
      }
      if (round > 0 && (decoded.includes('/') || decoded.includes('\\'))) {
        return 'the path contains an encoded slash (%2F or %5C), which pk does not send upstream';
      }
      if (!decoded.includes('%')) break;
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        // Malformed as sent is refused; malformed only after a decode is just a literal `%`.
        if (round === 0) return 'the path contains a malformed percent-encoding';
        break;
      }
    }
  }
  return undefined;
}
