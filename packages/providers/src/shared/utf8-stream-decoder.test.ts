import { describe, expect, it } from 'vitest';
import { createUtf8StreamDecoder } from './utf8-stream-decoder.js';

/** Decodes `pieces` with the decoder and with a streaming TextDecoder, for comparison. */
function both(pieces: number[][]): { ours: string; textDecoder: string } {
  const ours = createUtf8StreamDecoder();
  const reference = new TextDecoder();
  let a = '';
  let b = '';
  for (const piece of pieces) {
    a += ours.write(Uint8Array.from(piece));
    b += reference.decode(Uint8Array.from(piece), { stream: true });
  }
  return { ours: a + ours.end(), textDecoder: b + reference.decode() };
}

const bytesOf = (text: string): number[] => [...Buffer.from(text, 'utf8')];

describe('createUtf8StreamDecoder', () => {
  it('decodes ASCII and multi-byte text split anywhere, as a streaming TextDecoder does', () => {
    const bytes = bytesOf('data: {"content":"€ 5 – naïve 🙂"}\n\n');
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const result = both([bytes.slice(0, cut), bytes.slice(cut)]);
      expect(result.ours).toBe(result.textDecoder);
      expect(result.ours).toBe('data: {"content":"€ 5 – naïve 🙂"}\n\n');
    }
  });

  it('drops a leading byte order mark, even split over pieces, and keeps a later one', () => {
    const result = both([[0xef], [0xbb, 0xbf, 0x61], bytesOf('\uFEFFb')]);
    expect(result.ours).toBe('a\uFEFFb');
    expect(result.ours).toBe(result.textDecoder);
  });

  it('turns invalid bytes and a character cut off at the end into U+FFFD', () => {
    const result = both([
      [0x61, 0xff, 0x62],
      [0xe2, 0x82],
    ]);
    expect(result.ours).toBe(result.textDecoder);
    expect(result.ours).toBe('a\uFFFDb\uFFFD');
  });
});
