/**
 * Patterns in configs are written for JavaScript's `RegExp` (Portkey's gateway compiles them with
 * `new RegExp(source)`), but run on RE2, whose syntax lacks JavaScript's `\uXXXX` escape. RE2 writes
 * the same code point `\x{XXXX}`. This rewrites the one into the other so a pattern that works on
 * Portkey (`[\u4e00-\u9fff]`, `caf\u00e9`) works here, with the same meaning:
 *
 * - `\uXXXX` (four hex digits) becomes `\x{XXXX}`, inside or outside a character class;
 * - a high and a low surrogate written one after the other (`\uD83D\uDE00`, how JavaScript source
 *   spells a character beyond U+FFFF) become the one code point they encode (`\x{1F600}`), which
 *   is what RE2 matches against a JavaScript string;
 * - anything else is left as written: an escaped backslash (`\\u00e9` is a backslash and the text
 *   `u00e9`), and `\u{…}`, which means the letter `u` and a literal `{…}` in JavaScript without the
 *   `u` flag, as Portkey compiles patterns.
 */
export function toRe2Escapes(source: string): string {
  if (!source.includes('\\u')) return source;
  let out = '';
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char !== '\\') {
      out += char;
      index += 1;
      continue;
    }
    const unit = hexUnitAt(source, index);
    if (unit === undefined) {
      // Any other escape, `\\` included, is copied whole so its second character is never re-read.
      out += source.slice(index, index + 2);
      index += 2;
      continue;
    }
    const low = isHighSurrogate(unit) ? hexUnitAt(source, index + 6) : undefined;
    if (low !== undefined && isLowSurrogate(low)) {
      const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      out += `\\x{${codePoint.toString(16).toUpperCase()}}`;
      index += 12;
      continue;
    }
    out += `\\x{${source.slice(index + 2, index + 6)}}`;
    index += 6;
  }
  return out;
}

/** The code unit of a `\uXXXX` escape starting at `index`, else undefined. */
function hexUnitAt(source: string, index: number): number | undefined {
  if (source[index] !== '\\' || source[index + 1] !== 'u') return undefined;
  const digits = source.slice(index + 2, index + 6);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : undefined;
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;
