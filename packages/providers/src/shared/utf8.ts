/**
 * UTF-8 both ways, as the AWS event-stream codec expects them (`@smithy/util-utf8`'s signatures):
 * Node's Buffer, so importing the adapters does not load `@smithy/core`.
 */
export function fromUtf8(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'utf8');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function toUtf8(bytes: Uint8Array | string): string {
  if (typeof bytes === 'string') return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
