// Header bytes from 0x80 to 0xFF: Node reads each as one Latin-1 character.
const HIGH_BYTE = /[\x80-\xff]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value's text. Node's HTTP parser reads header bytes as Latin-1, so a client that sends
 * UTF-8 as it is (curl, Go's net/http) arrives as mojibake: `José` as `JosÃ©`. When the value's
 * bytes are valid UTF-8 with at least one multi-byte sequence, returns them read as UTF-8; otherwise
 * (ASCII, or Latin-1 that is not valid UTF-8, such as a lone `é`) the value unchanged.
 */
export function readUtf8HeaderText(value: string): string {
  if (!HIGH_BYTE.test(value)) return value;
  const bytes = new Uint8Array(value.length);
  for (let index = 0; index < value.length; index += 1) bytes[index] = value.charCodeAt(index);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return value;
  }
}
