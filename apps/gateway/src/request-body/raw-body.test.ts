import { describe, expect, it } from 'vitest';
import { rawBodySummaryOf, withFormFieldReplaced } from './raw-body.js';

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

describe('rawBodySummaryOf', () => {
  it('describes a multipart upload by its fields: text as sent, files by name, type and size, repeated names as lists', () => {
    const body = multipart('b0und', [
      ['Content-Disposition: form-data; name="model"', 'whisper-1'],
      ['Content-Disposition: form-data; name="prompt"', 'café; "quoted"'],
      ['Content-Disposition: form-data; name="file"; filename="clip.wav"\r\nContent-Type: audio/wav', AUDIO],
      ['Content-Disposition: form-data; name="image[]"; filename="a.png"', Buffer.from([0x89, 0x50])],
      ['Content-Disposition: form-data; name="image[]"; filename="b.png"', Buffer.from([0x89])],
      ['Content-Disposition: form-data; name="raw"', AUDIO],
      ['Content-Disposition: form-data; name="__proto__"', 'kept'],
    ]);
    const summary = rawBodySummaryOf(body, 'multipart/form-data; boundary="b0und"');
    expect(summary).toEqual({
      model: 'whisper-1',
      prompt: 'café; "quoted"',
      file: { filename: 'clip.wav', content_type: 'audio/wav', bytes: AUDIO.length },
      'image[]': [
        { filename: 'a.png', content_type: null, bytes: 2 },
        { filename: 'b.png', content_type: null, bytes: 1 },
      ],
      // A field whose bytes are not UTF-8 text is described, never shown.
      raw: { bytes: AUDIO.length },
      ['__proto__']: 'kept',
    });
    expect(Object.getPrototypeOf(summary)).toBe(Object.prototype);
  });

  it('describes anything else by content type and size: raw audio, multipart it cannot read', () => {
    expect(rawBodySummaryOf(AUDIO, 'audio/wav')).toEqual({ content_type: 'audio/wav', bytes: AUDIO.length });
    const cut = multipart('b0und', [['Content-Disposition: form-data; name="model"', 'x']]).subarray(0, 40);
    expect(rawBodySummaryOf(cut, 'multipart/form-data; boundary=b0und')).toEqual({
      content_type: 'multipart/form-data; boundary=b0und',
      bytes: 40,
    });
    expect(rawBodySummaryOf(AUDIO, 'multipart/form-data')).toMatchObject({ bytes: AUDIO.length });
  });
});

describe('withFormFieldReplaced', () => {
  it('replaces one text field’s bytes and keeps every other byte; a form without it is left alone', () => {
    const type = 'multipart/form-data; boundary=b0und';
    const parts = (model: string) =>
      multipart('b0und', [
        ['Content-Disposition: form-data; name="file"; filename="model"', AUDIO],
        ['Content-Disposition: form-data; name="model"', model],
        ['Content-Disposition: form-data; name="language"', 'fr'],
      ]);
    const replaced = withFormFieldReplaced(parts('@openai-prod/whisper-1'), type, 'model', 'whisper-1');
    expect(Buffer.from(replaced ?? []).equals(parts('whisper-1'))).toBe(true);
    expect(withFormFieldReplaced(parts('x'), type, 'prompt', 'y')).toBeUndefined();
    expect(withFormFieldReplaced(AUDIO, 'audio/wav', 'model', 'y')).toBeUndefined();
  });
});
