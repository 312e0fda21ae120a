const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Deepest nesting of arrays and objects accepted in a JSON request body. OpenAI bodies are shallow
 * (a tool's JSON Schema rarely goes past 20 levels); a body nested thousands deep overflows the stack
 * of every recursive step after the parse (`JSON.stringify` when a config changes the body, the
 * cache key), which answered 500 or 502 instead of 400.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * True when the JSON text in `bytes` nests arrays and objects more than `maxDepth` deep. One pass over
 * the bytes outside strings; strings are skipped with `indexOf` (native), so a body of long texts costs
 * little more than its number of brackets and keys. Malformed JSON is left to the parser.
 */
export function jsonNestsDeeperThan(bytes: Buffer, maxDepth: number): boolean {
  let depth = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      index = closingQuoteOf(bytes, index);
      if (index === -1) return false;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth -= 1;
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1 when there is none. */
function closingQuoteOf(bytes: Buffer, open: number): number {
  let quote = bytes.indexOf(QUOTE, open + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
  return -1;
}
