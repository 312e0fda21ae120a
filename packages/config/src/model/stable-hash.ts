/**
 * Canonical JSON: object keys sorted, `undefined` members left out, so equal configs give equal
 * text whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const members = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
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
