/**
 * A copy of `headers` with `name` set to `value` (replacing any value `headers` had for it).
 *
 * Why not `{ ...headers, [name]: value }`: in Node 20 (V8 11.3) a property defined after a spread
 * gives the new object a hidden class of its own on every call. On a per-request path that is a map
 * allocated in old space per request and every property access downstream turning megamorphic. A
 * copy through `for…in` reuses one hidden class per header set.
 */
export function headersWith(
  headers: Readonly<Record<string, string>>,
  name: string,
  value: string,
): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const key in headers) copy[key] = headers[key] as string;
  copy[name] = value;
  return copy;
}
