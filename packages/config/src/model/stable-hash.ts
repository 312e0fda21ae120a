/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), `undefined` members left out, so equal
 * configs give equal text whatever their key order. `omitted` names members of the top-level object
 * to leave out as well (a cache key leaves out `stream`, say) without copying the object first.
 *
 * Written as loops over `Object.keys` with one string built up, and strings that need no escaping
 * quoted in JS: the text is a cache key computed on every cached request, and each `JSON.stringify`
 * call costs a trip into V8's runtime (~700 instructions for a short key), where
 * `Object.entries`/`filter`/`sort` with a comparator/`map` allocated an array per member. The text is
 * the same byte for byte (keys in Redis depend on it; `stable-hash.test.ts` pins it).
 */
export function canonicalJson(value: unknown, omitted?: ReadonlySet<string>): string {
  if (typeof value === 'string') return jsonStringLiteral(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) text += ',';
      text += canonicalJson(value[index]);
    }
    return `${text}]`;
  }
  const object = value as Readonly<Record<string, unknown>>;
  // The default sort compares strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(object).sort();
  let text = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || omitted?.has(key) === true) continue;
    if (text.length > 1) text += ',';
    text += `${jsonStringLiteral(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

/**
 * A string as `JSON.stringify` writes it, byte for byte: between quotes as it is when no character
 * needs an escape (a control character, a quote, a backslash, or any surrogate: a lone one is
 * escaped), else `JSON.stringify`'s. For short strings (keys, model names) the JS scan is cheaper
 * than a trip into V8's runtime; for a whole record V8's `JSON.stringify` is cheaper than this per
 * member (measured on the request log line: ~34k instructions written this way, ~20k by
 * `JSON.stringify`).
 */
function jsonStringLiteral(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

function fnv1a32(text: string, offset: number): number {
  let hash = offset;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A stable, non-cryptographic 64-bit hash of a string as 16 hex digits: two FNV-1a 32-bit passes
 * with different offsets, over UTF-16 code units. Pure JS (no `node:crypto`), the same everywhere.
 */
export function stableHash(text: string): string {
  const first = fnv1a32(text, 0x811c9dc5);
  const second = fnv1a32(text, 0x050c5d1f);
  return first.toString(16).padStart(8, '0') + second.toString(16).padStart(8, '0');
}
