/**
 * The lower-cased names an openai `HeadersLike` sets (a `Headers`, `[name, value]` pairs, a record,
 * or openai's nullable headers); names given `undefined` are not set.
 */
export function headerNamesOf(headers: unknown): Set<string> {
  const names = new Set<string>();
  if (headers === null || typeof headers !== 'object') return names;
  if (headers instanceof Headers) {
    for (const name of headers.keys()) names.add(name);
    return names;
  }
  if (Array.isArray(headers)) {
    for (const entry of headers as unknown[]) {
      if (Array.isArray(entry) && typeof entry[0] === 'string') names.add(entry[0].toLowerCase());
    }
    return names;
  }
  const nullable = headers as { values?: unknown; nulls?: unknown };
  if (nullable.values instanceof Headers && nullable.nulls instanceof Set) {
    for (const name of nullable.values.keys()) names.add(name);
    for (const name of nullable.nulls as Set<unknown>) if (typeof name === 'string') names.add(name);
    return names;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) names.add(name.toLowerCase());
  }
  return names;
}
