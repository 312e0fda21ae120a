import { describe, expect, it } from 'vitest';
import { type MultipartForm, parseMultipartForm } from './multipart-form.js';

const AUDIO = Buffer.from([0x52, 0x49, 0x46, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0xfe, 0x00]);

async function formOf(body: Buffer | string, contentType: string): Promise<MultipartForm> {
  const parsed = await parseMultipartForm(Buffer.from(body), contentType);
  if (!('form' in parsed)) throw new Error(parsed.problem);
  return parsed.form;
}

/** What undici's own parser reads of a body (an independent reading of what the gateway sends). */
async function entriesOf(bytes: Uint8Array, contentType: string): Promise<[string, string][]> {
  const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  const entries: [string, string][] = [];
  for (const [name, value] of form.entries()) {
    entries.push([name, typeof value === 'string' ? value : `${value.name}|${value.type}|${value.size}`]);
  }
  return entries;
}

describe('parseMultipartForm', () => {
  it('reads every part as bytes, in order, with RFC 5987 file names and quoted parameters', async () => {
    const form = await formOf(
      Buffer.concat([
        Buffer.from(
          '--b\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8\'\'%E2%82%AC.wav\r\nContent-Type: audio/wav\r\n\r\n',
        ),
        AUDIO,
        Buffer.from('\r\n--b\r\nContent-Disposition: form-data; name="a \\"b\\""\r\n\r\nx\r\ny\r\n--b--\r\n'),
      ]),
      'multipart/form-data; boundary="b"',
    );
    expect(
      form.parts.map(({ name, filename, contentType, bytes }) => [name, filename, contentType, bytes]),
    ).toEqual([
      ['file', '€.wav', 'audio/wav', AUDIO],
      ['a "b"', undefined, 'text/plain', Buffer.from('x\r\ny')],
    ]);
  });

  it.each([
    ['no boundary', 'multipart/form-data', '--b\r\n\r\nx\r\n--b--'],
    [
      'no closing delimiter',
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="m"\r\n\r\nx',
    ],
  ])('says why a body is not a form: %s', async (_case, contentType, body) => {
    const parsed = await parseMultipartForm(Buffer.from(body), contentType);
    expect(parsed).toEqual({ problem: expect.any(String) });
  });
});

describe('MultipartForm.withTextFields', () => {
  it('sets text fields in their place and appends missing ones; files and other fields keep their bytes', async () => {
    const form = await formOf(
      Buffer.concat([
        Buffer.from(
          '--b\r\nContent-Disposition: form-data; name="file"; filename="model"\r\nContent-Type: audio/wav\r\n\r\n',
        ),
        AUDIO,
        Buffer.from('\r\n--b\r\nContent-Disposition: form-data; name="model"\r\n\r\n@openai/whisper-1\r\n'),
        Buffer.from('--b\r\nContent-Disposition: form-data; name="language"\r\n\r\nfr\r\n--b--\r\n'),
      ]),
      'multipart/form-data; boundary=b',
    );
    const { body, contentType } = form.withTextFields({ model: 'whisper-1', temperature: '0.2' });
    expect(contentType).toMatch(/^multipart\/form-data; boundary=----pk-formdata-[0-9a-f]{24}$/);
    expect(await entriesOf(body, contentType)).toEqual([
      ['file', `model|audio/wav|${AUDIO.length}`],
      ['model', 'whisper-1'],
      ['language', 'fr'],
      ['temperature', '0.2'],
    ]);
    expect(Buffer.from(body).includes(AUDIO)).toBe(true);
  });

  it('escapes quotes and line breaks in names as browsers do, and keeps a field named __proto__', async () => {
    const form = await formOf(
      '--b\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nkept\r\n--b--\r\n',
      'multipart/form-data; boundary=b',
    );
    const { body, contentType } = form.withTextFields(JSON.parse('{"__proto__":"set","a\\"\\nb":"c"}'));
    expect(Buffer.from(body).toString()).toContain('name="a%22%0Ab"');
    expect(await entriesOf(body, contentType)).toEqual([
      ['__proto__', 'set'],
      ['a"\nb', 'c'],
    ]);
  });
});
