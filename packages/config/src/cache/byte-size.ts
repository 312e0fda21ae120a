/**
 * Approximate memory cost of a cached value in bytes, used to bound the in-memory store: UTF-8 length
 * for strings, `byteLength` for binary data, the UTF-8 length of the JSON text for anything else.
 */
export function byteSizeOf(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  const json = JSON.stringify(value);
  return json === undefined ? 1 : utf8Length(json);
}

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}
