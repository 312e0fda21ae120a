import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';

// Multipart uploads through the built gateway, from the official `openai` SDK (`toFile` uploads) and
// from raw HTTP for the forms no SDK writes. The mock upstream records every byte it received: with
// nothing to change, it gets the client's bytes; with a config's `override_params` (or a virtual
// key's `@slug/model`), the client's form with those text fields set and every file byte for byte.

interface Received {
  readonly url: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What the SDK put on the wire, as its `fetch` sent it. */
interface Sent {
  readonly contentType: string;
  readonly body: Buffer;
}

const PROVIDER_KEY = 'sk-multipart-provider-0123456789';
const AUDIO = Buffer.from([
  0x52, 0x49, 0x46, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a,
]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);
const BODY_LIMIT = 256 * 1024;
const RECEIVE_TIMEOUT_MS = 1500;

const received: Received[] = [];
const sent: Sent[] = [];
let upstream: Server;
let upstreamUrl = '';
let gateway: FeatureGateway;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        url: request.url ?? '',
        contentType: String(request.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks),
      });
      const answer = request.url?.startsWith('/v1/files')
        ? { id: 'file-1', object: 'file', bytes: 3, created_at: 1, filename: 'a.jsonl', purpose: 'batch' }
        : request.url?.startsWith('/v1/images')
          ? { created: 1, data: [{ b64_json: 'iVBORw0K' }] }
          : { text: 'bonjour' };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startFeatureGateway({
    settings: {
      limits: { body_limit_bytes: BODY_LIMIT, receive_timeout_ms: RECEIVE_TIMEOUT_MS },
      virtual_keys: {
        'openai-audio': {
          provider: 'openai',
          api_key: PROVIDER_KEY,
          options: { custom_host: `${upstreamUrl}/v1` },
        },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  sent.length = 0;
});

/** A config sending to the mock upstream, with `override_params` when given. */
function configOf(overrideParams?: Record<string, unknown>): string {
  return JSON.stringify({
    provider: 'openai',
    api_key: PROVIDER_KEY,
    custom_host: `${upstreamUrl}/v1`,
    ...(overrideParams === undefined ? {} : { override_params: overrideParams }),
  });
}

/** The official SDK against the gateway, its requests' bytes kept in `sent`. */
function client(headers: Record<string, string>): OpenAI {
  return new OpenAI({
    apiKey: 'sk-client-unused',
    baseURL: gateway.base,
    defaultHeaders: headers,
    maxRetries: 0,
    fetch: async (input, init) => {
      // The SDK first asks its fetch about FormData support, with no body: not a request to keep.
      if (init?.body == null) return fetch(input, init);
      const request = new Request(input, { ...init, duplex: 'half' } as RequestInit);
      sent.push({
        contentType: request.headers.get('content-type') ?? '',
        body: Buffer.from(await request.clone().arrayBuffer()),
      });
      return fetch(request);
    },
  });
}

/** The boundary a content type names. */
function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(contentType);
  if (match === null) throw new Error(`no boundary in ${contentType}`);
  return (match[1] ?? match[2]) as string;
}

/** The parts of a body, as undici's own multipart parser (not the gateway's) reads them. */
async function partsOf(
  received: Received,
): Promise<[string, string | { name: string; type: string; bytes: Buffer }][]> {
  const form = await new Response(new Uint8Array(received.body), {
    headers: { 'content-type': received.contentType },
  }).formData();
  const parts: [string, string | { name: string; type: string; bytes: Buffer }][] = [];
  for (const [name, value] of form.entries()) {
    parts.push([
      name,
      typeof value === 'string'
        ? value
        : { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) },
    ]);
  }
  return parts;
}

/**
 * The bytes the client sent, as the upstream must get them once `fields` are set: the client's
 * boundary replaced by the upstream's, each field's text replaced where the client sent it and
 * appended (in the order given) where not. Latin-1 keeps every byte as one character.
 */
function expectedBytes(client: Sent, upstreamContentType: string, fields: Record<string, string>): Buffer {
  const from = boundaryOf(client.contentType);
  const to = boundaryOf(upstreamContentType);
  let text = client.body.toString('latin1').split(from).join(to);
  const closing = `--${to}--\r\n`;
  expect(text.endsWith(closing)).toBe(true);
  text = text.slice(0, -closing.length);
  for (const [name, value] of Object.entries(fields)) {
    const field = new RegExp(`(Content-Disposition: form-data; name="${name}"\\r\\n\\r\\n)[^\\r]*(\\r\\n)`);
    const encoded = Buffer.from(value, 'utf8').toString('latin1');
    text = field.test(text)
      ? text.replace(field, `$1${encoded}$2`)
      : `${text}--${to}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${encoded}\r\n`;
  }
  return Buffer.from(`${text}${closing}`, 'latin1');
}

/** A raw HTTP request to the gateway, its body written in the chunks given; resolves with the answer. */
function rawPost(
  path: string,
  headers: Record<string, string>,
  chunks: readonly Buffer[],
  options: { end?: boolean } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${gateway.url}${path}`, { method: 'POST', headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
      );
    });
    outgoing.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        outgoing.write(chunk);
        await new Promise((wait) => setTimeout(wait, 5));
      }
      if (options.end !== false) outgoing.end();
    })();
  });
}

describe('multipart uploads from the openai SDK', () => {
  it('audio.transcriptions.create reaches the provider byte for byte when nothing is changed', async () => {
    const result = await client({ 'x-portkey-config': configOf() }).audio.transcriptions.create({
      file: await toFile(AUDIO, 'clip.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      language: 'fr',
    });
    expect(result.text).toBe('bonjour');
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/v1/audio/transcriptions');
    expect(received[0]?.contentType).toBe(sent[0]?.contentType);
    expect(received[0]?.body.equals(sent[0]?.body as Buffer)).toBe(true);
  });

  it('a config’s override_params.model and other text parameters reach a transcription’s form, the file byte for byte', async () => {
    const result = await client({
      'x-portkey-config': configOf({ model: 'whisper-large-v3', language: 'de', temperature: 0.2 }),
    }).audio.transcriptions.create({
      file: await toFile(AUDIO, 'clip.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
      language: 'fr',
    });
    expect(result.text).toBe('bonjour');
    const got = received[0] as Received;
    expect(await partsOf(got)).toEqual([
      ['file', { name: 'clip.wav', type: 'audio/wav', bytes: AUDIO }],
      ['model', 'whisper-large-v3'],
      ['language', 'de'],
      ['temperature', '0.2'],
    ]);
    // Framed as the SDK frames a form: only the boundary and the overridden values differ.
    expect(
      got.body.equals(
        expectedBytes(sent[0] as Sent, got.contentType, {
          model: 'whisper-large-v3',
          language: 'de',
          temperature: '0.2',
        }),
      ),
    ).toBe(true);
  });

  it('a virtual key’s @slug/model in a form is sent as the bare model', async () => {
    await client({}).audio.transcriptions.create({
      file: await toFile(AUDIO, 'clip.wav', { type: 'audio/wav' }),
      model: '@openai-audio/whisper-1',
    });
    expect(await partsOf(received[0] as Received)).toEqual([
      ['file', { name: 'clip.wav', type: 'audio/wav', bytes: AUDIO }],
      ['model', 'whisper-1'],
    ]);
  });

  it('images.edit keeps a prompt’s line breaks, every image byte and the field order under override_params', async () => {
    const prompt = 'line one\r\nline two\nline three "quoted"';
    await client({ 'x-portkey-config': configOf({ model: 'gpt-image-1', n: 2 }) }).images.edit({
      image: [
        await toFile(PNG, 'a.png', { type: 'image/png' }),
        await toFile(PNG.subarray(0, 9), 'b.png', { type: 'image/png' }),
      ],
      mask: await toFile(PNG, 'mask.png', { type: 'image/png' }),
      prompt,
      model: 'dall-e-2',
    });
    const got = received[0] as Received;
    expect(got.url).toBe('/v1/images/edits');
    const sentParts = await partsOf({ url: '', ...(sent[0] as Sent) });
    const gotParts = await partsOf(got);
    expect(gotParts.map(([name]) => name)).toEqual([...sentParts.map(([name]) => name), 'n']);
    expect(Object.fromEntries(gotParts)).toMatchObject({ model: 'gpt-image-1', n: '2' });
    expect(gotParts.find(([name]) => name === 'prompt')?.[1]).toBe(
      sentParts.find(([name]) => name === 'prompt')?.[1],
    );
    expect(gotParts.filter(([name]) => name !== 'model' && name !== 'n')).toEqual(
      sentParts.filter(([name]) => name !== 'model'),
    );
    expect(
      got.body.equals(expectedBytes(sent[0] as Sent, got.contentType, { model: 'gpt-image-1', n: '2' })),
    ).toBe(true);
  });

  it('files.create sends the file and purpose byte for byte', async () => {
    const jsonl = Buffer.from('{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{}}\n');
    const file = await client({ 'x-portkey-config': configOf() }).files.create({
      file: await toFile(jsonl, 'batch.jsonl', { type: 'application/jsonl' }),
      purpose: 'batch',
    });
    expect(file.id).toBe('file-1');
    expect(received[0]?.url).toBe('/v1/files');
    expect(received[0]?.contentType).toBe(sent[0]?.contentType);
    expect(received[0]?.body.equals(sent[0]?.body as Buffer)).toBe(true);
  });

  it('a file over the body limit is refused with 413 before anything is sent', async () => {
    const error = await rejectionOf(
      client({ 'x-portkey-config': configOf() }).audio.transcriptions.create({
        file: await toFile(Buffer.alloc(BODY_LIMIT + 1024, 1), 'long.wav', { type: 'audio/wav' }),
        model: 'whisper-1',
      }),
    );
    expect(error).toMatchObject({ status: 413, code: 'PK_ERR_PAYLOAD_TOO_LARGE' });
    expect(received).toHaveLength(0);
  });
});

describe('multipart forms no SDK writes, over raw HTTP', () => {
  /** A form with a quoted boundary, an RFC 5987 file name, the model after the file, a CRLF in a value and a part with no Content-Disposition. */
  const boundary = 'pk b:1';
  const odd = Buffer.concat([
    Buffer.from('preamble to skip\r\n'),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%E2%82%AC%20clip.wav\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    AUDIO,
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nfirst\r\nsecond\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n`),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const oddType = `multipart/form-data; boundary="${boundary}"`;

  it('a quoted boundary, filename*=, a CRLF inside a value and the model last pass byte for byte when nothing is changed', async () => {
    const answer = await rawPost(
      '/v1/audio/transcriptions',
      { 'content-type': oddType, 'x-portkey-config': configOf() },
      [odd],
    );
    expect(answer.status).toBe(200);
    expect(received[0]?.contentType).toBe(oddType);
    expect(received[0]?.body.equals(odd)).toBe(true);
  });

  it('the same form under override_params keeps its order, values and file bytes, decodes filename*= and drops the part without a name', async () => {
    const answer = await rawPost(
      '/v1/audio/transcriptions',
      { 'content-type': oddType, 'x-portkey-config': configOf({ model: 'whisper-large-v3' }) },
      [odd],
    );
    expect(answer.status).toBe(200);
    expect(await partsOf(received[0] as Received)).toEqual([
      ['file', { name: '€ clip.wav', type: 'audio/wav', bytes: AUDIO }],
      ['prompt', 'first\r\nsecond'],
      ['model', 'whisper-large-v3'],
    ]);
  });

  it('a boundary split across chunked writes is read as one form', async () => {
    const at = odd.indexOf(`--${boundary}`, 40) + 3;
    const answer = await rawPost(
      '/v1/audio/transcriptions',
      {
        'content-type': oddType,
        'transfer-encoding': 'chunked',
        'x-portkey-config': configOf({ language: 'it' }),
      },
      [odd.subarray(0, at), odd.subarray(at, at + 2), odd.subarray(at + 2)],
    );
    expect(answer.status).toBe(200);
    expect(Object.fromEntries(await partsOf(received[0] as Received))).toMatchObject({
      model: 'whisper-1',
      language: 'it',
    });
  });

  it.each([
    ['without its closing delimiter', odd.subarray(0, odd.length - `--${boundary}--\r\n`.length), oddType],
    ['with no boundary in its content type', odd, 'multipart/form-data'],
  ])('a form %s is refused with 400 naming why, with nothing sent', async (_case, body, contentType) => {
    const answer = await rawPost(
      '/v1/audio/transcriptions',
      { 'content-type': contentType, 'x-portkey-config': configOf({ model: 'whisper-large-v3' }) },
      [body],
    );
    expect(answer.status).toBe(400);
    const error = JSON.parse(answer.body).error;
    expect(error.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(error.message).toMatch(/^the multipart\/form-data body is not a well-formed form \(.+\)$/);
    expect(received).toHaveLength(0);
  });

  it('a form whose body never ends gets 408 once limits.receive_timeout_ms is over, with nothing sent', async () => {
    const answer = await rawPost(
      '/v1/audio/transcriptions',
      {
        'content-type': oddType,
        'content-length': String(odd.length + 1000),
        'x-portkey-config': configOf(),
      },
      [odd.subarray(0, 100)],
      { end: false },
    );
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error.code).toBe('PK_ERR_TIMEOUT');
    expect(received).toHaveLength(0);
  });
});
