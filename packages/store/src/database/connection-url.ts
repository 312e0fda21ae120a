/** A database URL fit for a message: the password replaced by `***`, the query string dropped. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '(an unparsable PK_DATABASE_URL)';
  }
}

/**
 * A `PK_DATABASE_URL` refused for its scheme, fit for the refusal: as given (a leading space, the
 * quotes a compose `env_file` keeps), JSON-quoted, with its password replaced by `***` and its query
 * string dropped, whether or not it parses. {@link describeDatabaseUrl} shows the parsed URL, which
 * had lost the space that was the problem.
 */
export function describeRefusedDatabaseUrl(url: string): string {
  const masked = url.replace(/([a-z][\w+.-]*:\/\/[^/?#:@]*):[^@]*@/i, '$1:***@').replace(/\?[^"]*/, '');
  return JSON.stringify(masked);
}

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
