/** Anything with `forEach((value, name) => …)`: a fetch `Headers`, or a `Map` of names to values. */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
}

/**
 * Headers as the runtimes hand them over: a fetch `Headers` (or `Map`), a record as Node and fastify
 * give it (`string | string[] | undefined` values), or a list of `[name, value]` pairs (raw headers).
 * Names are matched case-insensitively.
 */
export type HeaderInput =
  | HeadersLike
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | readonly (readonly [string, string])[];

/** Calls `visit` once per header value, in input order; arrays in a record give one call per element. */
export function forEachHeader(input: HeaderInput, visit: (name: string, value: string) => void): void {
  if (Array.isArray(input)) {
    for (const [name, value] of input as readonly (readonly [string, string])[]) visit(name, value);
    return;
  }
  if (typeof (input as Partial<HeadersLike>).forEach === 'function') {
    (input as HeadersLike).forEach((value, name) => {
      visit(name, value);
    });
    return;
  }
  const record = input as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value === 'string') visit(name, value);
    else if (value !== undefined) for (const item of value) visit(name, item);
  }
}
