/** Longest `x-pk-warnings` value sent: a config may hold any number of unknown keys. */
const MAX_WARNINGS_HEADER_LENGTH = 2000;

/** The `x-pk-warnings` value of a request's warning lines: joined by `; `, cut at 2000 characters. */
export function warningsHeaderValue(lines: readonly string[]): string {
  return lines.join('; ').slice(0, MAX_WARNINGS_HEADER_LENGTH);
}
