import { describe, expect, it } from 'vitest';
import { parseMultipartForm } from './multipart-form.js';
import { rawBodySummaryOf } from './raw-body.js';

/** A multipart body as undici writes one: each part's headers, a blank line, its bytes. */
function multipart(boundary: string, parts: readonly (readonly [string, string | Buffer])[]): Buffer {
  const chunks = parts.flatMap(([headers, content]) => [
    Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`),
    Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

const AUDIO = Buffer.from([0x52, 0x49, 0x46, 0x46, 0xff, 0xfe, 0x00, 0xc3, 0x28]);

/** The summary of a body, parsed first when it is a well-formed form. */
async function summaryOf(body: Buffer, contentType: string) {
  const parsed = await parseMultipartForm(body, contentType);
  return rawBodySummaryOf(body, contentType, 'form' in parsed ? parsed.form : undefined);
}

describe('rawBodySummaryOf', () => {
  it('describes a multipart upload by its fields: text as sent, files by name, type and size, repeated names as lists', async () => {
    const body = multipart('b0und', [
      ['Content-Disposition: form-data; name="model"', 'whisper-1'],
      ['Content-Disposition: form-data; name="prompt"', 'café; "quoted"'],
      ['Content-Disposition: form-data; name="file"; filename="clip.wav"\r\nContent-Type: audio/wav', AUDIO],
      ['Content-Disposition: form-data; name="image[]"; filename="a.png"', Buffer.from([0x89, 0x50])],
      ['Content-Disposition: form-data; name="image[]"; filename="b.png"', Buffer.from([0x89])],
      ['Content-Disposition: form-data; name="raw"', AUDIO],
      ['Content-Disposition: form-data; name="__proto__"', 'kept'],
    ]);
    const summary = await summaryOf(body, 'multipart/form-data; boundary="b0und"');
    expect(summary).toEqual({
      model: 'whisper-1',
      prompt: 'café; "quoted"',
      file: { filename: 'clip.wav', content_type: 'audio/wav', bytes: AUDIO.length },
      // A file part without a Content-Type is text/plain (RFC 7578 §4.4).
      'image[]': [
        { filename: 'a.png', content_type: 'text/plain', bytes: 2 },
        { filename: 'b.png', content_type: 'text/plain', bytes: 1 },
      ],
      // A field whose bytes are not UTF-8 text is described, never shown.
      raw: { bytes: AUDIO.length },
      ['__proto__']: 'kept',
    });
    expect(Object.getPrototypeOf(summary)).toBe(Object.prototype);
  });

  it('describes anything else by content type and size: raw audio, multipart it cannot read', async () => {
    expect(rawBodySummaryOf(AUDIO, 'audio/wav', undefined)).toEqual({
      content_type: 'audio/wav',
      bytes: AUDIO.length,
    });
    const cut = multipart('b0und', [['Content-Disposition: form-data; name="model"', 'x']]).subarray(0, 40);
    expect(await summaryOf(cut, 'multipart/form-data; boundary=b0und')).toEqual({
      content_type: 'multipart/form-data; boundary=b0und',
      bytes: 40,
    });
  });
});
