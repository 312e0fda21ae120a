import { StringDecoder } from 'node:string_decoder';

/** UTF-8 bytes arriving in pieces → text, a character split between pieces held until it completes. */
export interface Utf8StreamDecoder {
  /** The text of `bytes` (and of any character completed by them). */
  write(bytes: Uint8Array): string;
  /** The end of the stream: an incomplete character left over becomes U+FFFD. */
  end(): string;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * What `new TextDecoder()` with `decode(bytes, { stream: true })` does (a leading byte order mark
 * dropped, invalid bytes as U+FFFD), through Node's `StringDecoder`. Why: in Node 20 a streaming
 * `TextDecoder` decodes through ICU's converter and returns two-byte strings, ~3× the cost per piece,
 * and every later regex, search and `Buffer.from` of that text pays for the two-byte form too (under
 * callgrind ICU's converter alone was ~36k instructions per 8-chunk stream). `StringDecoder` returns
 * one-byte strings for ASCII text, which is what provider streams are made of.
 */
export function createUtf8StreamDecoder(): Utf8StreamDecoder {
  const decoder = new StringDecoder('utf8');
  let started = false;
  const withoutMark = (text: string): string => {
    if (started || text === '') return text;
    started = true;
    return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  };
  return {
    write: (bytes) => withoutMark(decoder.write(bytes as Buffer)),
    end: () => withoutMark(decoder.end()),
  };
}
