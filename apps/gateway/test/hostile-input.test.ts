import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createUndiciTransport } from '@pk/providers';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { buildApp } from '../src/app.js';
import { resolveSettings } from '../src/settings/load-settings.js';
import { type Answer, rawExchange, raw as rawOn, upload } from './support/raw-http.js';

// Hostile and malformed requests: each gets its status and PK_ERR_* code in the OpenAI envelope with
// a trace id, the gateway keeps serving (a valid request right after succeeds), and memory stays
// bounded over repeated rounds. No request leaves 127.0.0.1: names resolve through an injected lookup.

let upstream: MockOpenAI;
/** A second upstream that keeps the bytes of every request (virtual key `recorder`). */
let recorder: MockOpenAI;
let app: FastifyInstance;
let base = '';
let port = 0;

/** Fake DNS: nothing here reaches a real resolver. */
const FAKE_DNS: Record<string, string> = {
  'private-llm.example.com': '10.0.0.1',
  'metadata.example.com': '169.254.169.254',
  'rebind.example.com': '127.0.0.1',
};

/** A credential sent inside malformed configs: it must never come back in an answer or a log line. */
const CONFIG_SECRET = 'sk-hostile-config-secret-7f3a9c2e51';
/** Log lines (of any level) that contained {@link CONFIG_SECRET}. */
const leakingLogLines: string[] = [];

beforeAll(async () => {
  upstream = await startMockOpenAI();
  recorder = await startMockOpenAI({ record: true });
  const settings = resolveSettings(
    {
      virtual_keys: {
        mock: { provider: 'openai', api_key: 'sk-hostile', options: { custom_host: `${upstream.url}/v1` } },
        recorder: { provider: 'openai', api_key: 'sk-rec', options: { custom_host: `${recorder.url}/v1` } },
      },
      configs: { 'pc-ok': { virtual_key: 'mock' } },
    },
    { env: {}, files: new Map() },
  );
  app = await buildApp({
    settings,
    // Every log line is searched for the config credential, then dropped.
    logger: {
      level: 'info',
      stream: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const line = chunk.toString();
          if (line.includes(CONFIG_SECRET)) leakingLogLines.push(line);
          callback();
        },
      }),
    },
    transport: createUndiciTransport({
      trustedHosts: settings.customHostTrust,
      lookup: async (hostname) => {
        const address = FAKE_DNS[hostname];
        if (address === undefined)
          throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return [{ address, family: 4 }];
      },
    }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app.close();
  await upstream.close();
  await recorder.close();
});

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const JSON_TYPE = { 'content-type': 'application/json' };
const OPENAI = { ...JSON_TYPE, 'x-portkey-provider': 'openai', authorization: 'Bearer sk-caller' };
/** Routed to the mock upstream, so anything that slips through is counted there. */
const MOCK = { ...JSON_TYPE, 'x-portkey-virtual-key': 'mock' };

async function send(path: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, traceId: response.headers.get('x-portkey-trace-id'), body };
}

const chat = (headers: Record<string, string>, body: string = JSON.stringify(CHAT)) =>
  send('/v1/chat/completions', { method: 'POST', headers, body });

const withCustomHost = (host: string) => chat({ ...OPENAI, 'x-portkey-custom-host': host });

/** Sends raw bytes on a fresh socket and answers with the first response. */
const raw = (bytes: string | Buffer): Promise<Answer> => rawOn(port, bytes);

/** Upstream requests so far, every path counted. */
function upstreamCalls(): number {
  let total = 0;
  for (const count of upstream.requests.values()) total += count;
  return total;
}

function nested(depth: number): Record<string, unknown> {
  let config: Record<string, unknown> = { virtual_key: 'mock' };
  for (let level = 0; level < depth; level += 1) {
    config = { strategy: { mode: 'fallback' }, targets: [config] };
  }
  return config;
}

/** A conditional config whose one condition runs `pattern` against a 4 KiB `metadata.user`. */
const regexConfig = (pattern: string) => ({
  ...JSON_TYPE,
  'x-portkey-metadata': JSON.stringify({ user: `${'a'.repeat(2000)}!` }),
  'x-portkey-config': JSON.stringify({
    strategy: {
      mode: 'conditional',
      conditions: [{ query: { 'metadata.user': { $regex: pattern } }, then: 'nope' }],
    },
    targets: [{ name: 'nope', virtual_key: 'missing-key' }],
  }),
});

/** What a row checks besides its status and code. */
interface RowExpectation {
  /** The envelope's `param` (default: a string or null). */
  readonly param?: string | null;
  /** What the message must say (the limit, the config path …). */
  readonly message?: RegExp;
  /** Upstream calls the row makes on purpose (the valid requests of a pipeline); default 0. */
  readonly upstreamCalls?: number;
  /** Left out of the memory rounds (large uploads). */
  readonly heavy?: boolean;
}

type Row = readonly [
  name: string,
  run: () => Promise<Answer>,
  status: number,
  code: string,
  expectation?: RowExpectation,
];

const HOSTILE: readonly Row[] = [
  [
    'broken JSON',
    () => chat(OPENAI, '{"model": "gpt-4o-mini", "messages": ['),
    400,
    'PK_ERR_INVALID_REQUEST',
  ],
  ['a JSON array body', () => chat(OPENAI, '[1,2,3]'), 400, 'PK_ERR_INVALID_REQUEST'],
  ['a JSON string body', () => chat(OPENAI, '"hello"'), 400, 'PK_ERR_INVALID_REQUEST'],
  ['an empty JSON body', () => chat(OPENAI, ''), 400, 'PK_ERR_INVALID_REQUEST'],
  [
    '__proto__ in the body',
    () => chat(OPENAI, '{"__proto__":{"admin":true},"model":"m"}'),
    400,
    'PK_ERR_INVALID_REQUEST',
  ],
  [
    'a number where the timeout header wants milliseconds',
    () => chat({ ...OPENAI, 'x-portkey-request-timeout': 'soon' }),
    400,
    'PK_ERR_INVALID_HEADER',
  ],
  [
    'metadata that is not JSON',
    () => chat({ ...OPENAI, 'x-portkey-metadata': '{oops' }),
    400,
    'PK_ERR_INVALID_HEADER',
  ],
  [
    'a config header that is not JSON',
    () => chat({ ...JSON_TYPE, 'x-portkey-config': '{"retry":' }),
    400,
    'PK_ERR_INVALID_HEADER',
  ],
  [
    'a config with a wrong type',
    () => chat({ ...JSON_TYPE, 'x-portkey-config': '{"virtual_key":"mock","retry":{"attempts":"many"}}' }),
    400,
    'PK_ERR_INVALID_CONFIG',
  ],
  [
    'a config 100 levels deep',
    () => chat({ ...JSON_TYPE, 'x-portkey-config': JSON.stringify(nested(100)) }),
    400,
    'PK_ERR_INVALID_CONFIG',
  ],
  ['a $regex built to backtrack: (a+)+', () => chat(regexConfig('^(a+)+$')), 400, 'PK_ERR_INVALID_CONFIG'],
  [
    'a $regex built to backtrack: (\\w+\\s?)*',
    () => chat(regexConfig('^(\\w+\\s?)*$')),
    400,
    'PK_ERR_INVALID_CONFIG',
  ],
  [
    'a 25 MiB body',
    () => chat(OPENAI, JSON.stringify({ ...CHAT, pad: 'x'.repeat(25 * 1024 * 1024) })),
    413,
    'PK_ERR_PAYLOAD_TOO_LARGE',
    { heavy: true },
  ],
  [
    'a 100 KiB header',
    () => raw(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nx-big: ${'a'.repeat(100 * 1024)}\r\n\r\n`),
    431,
    'PK_ERR_INVALID_REQUEST',
  ],
  [
    'bad chunking',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          'transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
  ],
  [
    'content-length and transfer-encoding together',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          'content-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
  ],
  [
    'GET with a JSON body',
    () =>
      raw(
        'GET /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          `content-length: ${JSON.stringify(CHAT).length}\r\nconnection: close\r\n\r\n${JSON.stringify(CHAT)}`,
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
  ],
  [
    'text/plain on chat completions',
    () => chat({ ...OPENAI, 'content-type': 'text/plain' }),
    415,
    'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'XML on chat completions',
    () => chat({ ...OPENAI, 'content-type': 'application/xml' }),
    415,
    'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'an unknown provider',
    () => chat({ ...OPENAI, 'x-portkey-provider': 'definitely-not-a-provider' }),
    400,
    'PK_ERR_INVALID_PROVIDER',
  ],
  ['no provider at all', () => chat(JSON_TYPE), 400, 'PK_ERR_MISSING_PROVIDER'],
  [
    'an unknown virtual key',
    () => chat({ ...JSON_TYPE, 'x-portkey-virtual-key': 'nope' }),
    404,
    'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
  ],
  [
    'an unknown saved config',
    () => chat({ ...JSON_TYPE, 'x-portkey-config': 'pc-nope' }),
    404,
    'PK_ERR_CONFIG_NOT_FOUND',
  ],
  [
    'a config naming an unknown guardrail',
    () =>
      chat({
        ...JSON_TYPE,
        'x-portkey-config': JSON.stringify({ virtual_key: 'mock', before_request_hooks: [{ id: 'g1' }] }),
      }),
    400,
    'PK_ERR_INVALID_CONFIG',
  ],
  [
    'custom host 169.254.169.254',
    () => withCustomHost('http://169.254.169.254/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  ['custom host 10.0.0.1', () => withCustomHost('http://10.0.0.1/v1'), 400, 'PK_ERR_INVALID_CUSTOM_HOST'],
  [
    'custom host [::1] as IPv4-mapped hex',
    () => withCustomHost('http://[::ffff:7f00:1]/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host [::1] spelled out in full',
    () => withCustomHost('http://[0:0:0:0:0:0:0:1]/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host 127.0.0.1 as a decimal',
    () => withCustomHost('http://2130706433/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host 127.0.0.1 in hex',
    () => withCustomHost('http://0x7f.0.0.1/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host metadata.google.internal',
    () => withCustomHost('http://metadata.google.internal/'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host with credentials',
    () => withCustomHost('http://user:pw@example.com/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  ['custom host file://', () => withCustomHost('file:///etc/passwd'), 400, 'PK_ERR_INVALID_CUSTOM_HOST'],
  [
    'custom host: a name resolving to a private address',
    () => withCustomHost('http://private-llm.example.com/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host: a name resolving to the metadata address',
    () => withCustomHost('http://metadata.example.com/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'custom host: a name resolving to loopback (DNS rebinding)',
    () => withCustomHost('http://rebind.example.com/v1'),
    400,
    'PK_ERR_INVALID_CUSTOM_HOST',
  ],
  [
    'a foreign Host header (DNS rebinding)',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: evil.example\r\ncontent-type: application/json\r\n' +
          'x-portkey-virtual-key: mock\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
      ),
    403,
    'PK_ERR_FORBIDDEN',
  ],
  [
    'a foreign browser Origin',
    () => chat({ ...OPENAI, origin: 'https://evil.example' }),
    403,
    'PK_ERR_FORBIDDEN',
  ],
  [
    'an unknown route',
    () => send('/v2/chat', { method: 'POST', headers: JSON_TYPE, body: '{}' }),
    404,
    'PK_ERR_NOT_FOUND',
  ],
  ['a control-plane route', () => send('/v1/configs', { method: 'GET' }), 501, 'PK_ERR_NOT_IMPLEMENTED'],

  // 1. Timers: 0, negative, fractional or beyond 24 h (Node's timers overflow at 2^31 ms and fire at once).
  ...(
    [
      ['0', '0'],
      ['negative', '-5'],
      ['fractional', '1500.5'],
      ['2^31 ms', '2147483648'],
      ['24 h + 1 ms', '86400001'],
    ] as const
  ).map(
    ([what, value]): Row => [
      `x-portkey-request-timeout ${what}`,
      () => chat({ ...MOCK, 'x-portkey-request-timeout': value }),
      400,
      'PK_ERR_INVALID_HEADER',
      { param: 'x-portkey-request-timeout', message: /x-portkey-request-timeout: .*1 to 86400000/ },
    ],
  ),
  ...(
    [
      ['request_timeout', 0, 'config.request_timeout'],
      ['request_timeout', -1, 'config.request_timeout'],
      ['request_timeout', 1.5, 'config.request_timeout'],
      ['request_timeout', 2 ** 31, 'config.request_timeout'],
      ['request_deadline', 0, 'config.request_deadline'],
      ['request_deadline', 2 ** 31, 'config.request_deadline'],
      ['request_deadline', 86_400_001, 'config.request_deadline'],
    ] as const
  ).map(
    ([key, value, path]): Row => [
      `config ${key} ${value}`,
      () => chat({ ...JSON_TYPE, 'x-portkey-config': JSON.stringify({ virtual_key: 'mock', [key]: value }) }),
      400,
      'PK_ERR_INVALID_CONFIG',
      { param: 'x-portkey-config', message: new RegExp(`${path.replace('.', '\\.')}: .*1 to 86400000`) },
    ],
  ),
  [
    'a target request_timeout of 10^10 ms',
    () =>
      chat({
        ...JSON_TYPE,
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [{ virtual_key: 'mock', request_timeout: 1e10 }],
        }),
      }),
    400,
    'PK_ERR_INVALID_CONFIG',
    { param: 'x-portkey-config', message: /config\.targets\[0\]\.request_timeout: .*1 to 86400000/ },
  ],

  // 2. Dot segments and encoded slashes in pass-through paths (undici resolves `..` and `%2e%2e`).
  ...[
    '/v1/files/../chat/completions',
    '/v1/files/%2e%2e/chat/completions',
    '/v1/files/%2E%2e/%2e%2E/v1/chat/completions',
    '/v1/files/.%2e/chat/completions',
    '/v1/files/%2e./chat/completions',
    '/v1/./files',
    '/v1/files/..%2f..%2fchat%2fcompletions',
    '/v1/files/..%2F..%2Fchat%2Fcompletions',
    '/v1/files/..%5cchat',
    '/v1/files/%252e%252e/chat/completions',
    '/files/../v1/chat/completions',
    '/v1/images/generations/../../chat/completions',
  ].map(
    (path): Row => [
      `a pass-through path ${path}`,
      () =>
        raw(
          `${path.includes('generations') ? 'POST' : 'GET'} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            'x-portkey-virtual-key: mock\r\ncontent-type: application/json\r\n' +
            `${path.includes('generations') ? `content-length: ${JSON.stringify(CHAT).length}\r\n` : ''}` +
            `connection: close\r\n\r\n${path.includes('generations') ? JSON.stringify(CHAT) : ''}`,
        ),
      400,
      'PK_ERR_INVALID_REQUEST',
      { param: null, message: /dot segment|encoded slash/ },
    ],
  ),

  // 3. Request bodies: the shape the gateway relies on, checked before anything is sent.
  ...(
    [
      ['messages as an object', { model: 'gpt-4o-mini', messages: { role: 'user' } }, 'messages'],
      ['messages [null, 42]', { model: 'gpt-4o-mini', messages: [null, 42] }, 'messages[0]'],
      ['messages empty', { model: 'gpt-4o-mini', messages: [] }, 'messages'],
      ['no messages', { model: 'gpt-4o-mini' }, 'messages'],
      [
        'a message without a role',
        { model: 'gpt-4o-mini', messages: [{ content: 'hi' }] },
        'messages[0].role',
      ],
      [
        'a message whose role is a number',
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'user', content: 'a' },
            { role: 7, content: 'b' },
          ],
        },
        'messages[1].role',
      ],
      ['model as an array', { ...CHAT, model: ['gpt-4o-mini'] }, 'model'],
      ['model as a number', { ...CHAT, model: 4 }, 'model'],
      ['stream: "yes"', { ...CHAT, stream: 'yes' }, 'stream'],
      ['stream: 1', { ...CHAT, stream: 1 }, 'stream'],
    ] as const
  ).map(
    ([what, body, param]): Row => [
      `a chat body with ${what}`,
      () => chat(MOCK, JSON.stringify(body)),
      400,
      'PK_ERR_INVALID_REQUEST',
      { param, message: new RegExp(param.replace(/[[\].]/g, '\\$&')) },
    ],
  ),
  [
    'messages nested 100,000 arrays deep',
    () => chat(MOCK, `{"model":"gpt-4o-mini","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    400,
    'PK_ERR_INVALID_REQUEST',
    { message: /128 levels/ },
  ],
  [
    'message content nested 100,000 arrays deep, with a config that rewrites the body',
    () =>
      chat(
        {
          ...JSON_TYPE,
          'x-portkey-config': JSON.stringify({ virtual_key: 'mock', override_params: { temperature: 0 } }),
        },
        `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
    { message: /128 levels/ },
  ],
  [
    'message content nested 100,000 objects deep, with the cache on',
    () =>
      chat(
        {
          ...JSON_TYPE,
          'x-portkey-config': JSON.stringify({ virtual_key: 'mock', cache: { mode: 'simple' } }),
        },
        `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`,
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
    { message: /128 levels/ },
  ],
  ...(
    [
      ['an object', { model: 'text-embedding-3-small', input: { text: 'hi' } }],
      ['a number', { model: 'text-embedding-3-small', input: 42 }],
      ['null', { model: 'text-embedding-3-small', input: null }],
      ['missing', { model: 'text-embedding-3-small' }],
    ] as const
  ).map(
    ([what, body]): Row => [
      `embeddings input ${what}`,
      () => send('/v1/embeddings', { method: 'POST', headers: MOCK, body: JSON.stringify(body) }),
      400,
      'PK_ERR_INVALID_REQUEST',
      { param: 'input', message: /input/ },
    ],
  ),
  [
    'legacy completions with model as an object',
    () =>
      send('/v1/completions', {
        method: 'POST',
        headers: MOCK,
        body: JSON.stringify({ model: { id: 'x' }, prompt: 'hi' }),
      }),
    400,
    'PK_ERR_INVALID_REQUEST',
    { param: 'model' },
  ],

  // 4. A config header that is JSON but not an object is not a saved config's id.
  ...(
    [
      ['an array', JSON.stringify([{ virtual_key: 'mock' }])],
      ['a number', '42'],
      ['a string in quotes', JSON.stringify('pc-ok')],
      ['true', 'true'],
      ['null', 'null'],
    ] as const
  ).map(
    ([what, value]): Row => [
      `a config header that is JSON but ${what}`,
      () => chat({ ...JSON_TYPE, 'x-portkey-config': value }),
      400,
      'PK_ERR_INVALID_CONFIG',
      { param: 'x-portkey-config', message: /JSON object/ },
    ],
  ),

  // 5. HTTP edge cases.
  [
    'three pipelined requests: valid, broken JSON, valid',
    async () => {
      const valid = JSON.stringify(CHAT);
      const broken = '{"model":';
      const request = (body: string, last = false) =>
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
        `x-portkey-virtual-key: mock\r\ncontent-length: ${body.length}\r\n` +
        `${last ? 'connection: close\r\n' : ''}\r\n${body}`;
      const answers = await rawExchange(port, request(valid) + request(broken) + request(valid, true));
      expect(answers.map((answer) => answer.status)).toEqual([200, 400, 200]);
      return answers[1] as Answer;
    },
    400,
    'PK_ERR_INVALID_REQUEST',
    { upstreamCalls: 2 },
  ],
  [
    'HTTP/1.1 without a Host header',
    () => raw('GET /health HTTP/1.1\r\nconnection: close\r\n\r\n'),
    400,
    'PK_ERR_INVALID_REQUEST',
    { message: /Host/ },
  ],
  [
    'HTTP/1.1 chat without a Host header',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\ncontent-type: application/json\r\nx-portkey-virtual-key: mock\r\n' +
          `content-length: ${JSON.stringify(CHAT).length}\r\nconnection: close\r\n\r\n${JSON.stringify(CHAT)}`,
      ),
    400,
    'PK_ERR_INVALID_REQUEST',
    { message: /Host/ },
  ],
  [
    'an inline config whose api_key has bytes no HTTP header can carry (sent raw)',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          'x-portkey-config: {"provider":"openai","api_key":"sk-clé-0123456789","custom_host":"https://api.example.com/v1"}\r\n' +
          `content-length: ${JSON.stringify(CHAT).length}\r\nconnection: close\r\n\r\n${JSON.stringify(CHAT)}`,
      ),
    400,
    'PK_ERR_INVALID_CONFIG',
    { param: 'x-portkey-config', message: /config\.api_key: expected printable ASCII/ },
  ],
  [
    'a provider key in Authorization with bytes no HTTP header can carry (sent raw)',
    () =>
      raw(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          'x-portkey-provider: openai\r\nx-portkey-custom-host: https://api.example.com/v1\r\n' +
          'authorization: Bearer sk-clé-0123456789\r\n' +
          `content-length: ${JSON.stringify(CHAT).length}\r\nconnection: close\r\n\r\n${JSON.stringify(CHAT)}`,
      ),
    400,
    'PK_ERR_INVALID_HEADER',
    { param: 'authorization', message: /the provider key: expected printable ASCII/ },
  ],
  [
    'an Expect header other than 100-continue',
    () => raw('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 200-ok\r\nconnection: close\r\n\r\n'),
    417,
    'PK_ERR_INVALID_REQUEST',
    { param: 'expect', message: /Expect/ },
  ],
  [
    'a 30 MB upload with content-length (the client reads its 413)',
    () => upload(port, '/v1/chat/completions', MOCK, 30_000_000, 'content-length'),
    413,
    'PK_ERR_PAYLOAD_TOO_LARGE',
    { heavy: true },
  ],
  [
    'a 30 MB chunked upload (the client reads its 413)',
    () => upload(port, '/v1/chat/completions', MOCK, 30_000_000, 'chunked'),
    413,
    'PK_ERR_PAYLOAD_TOO_LARGE',
    { heavy: true },
  ],
];

async function validRequest(): Promise<number> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...JSON_TYPE, 'x-portkey-virtual-key': 'mock' },
    body: JSON.stringify(CHAT),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('hostile input', () => {
  it('has at least 90 rows', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(90);
  });

  it.each(
    HOSTILE.map(([name, run, status, code, expectation = {}]) => ({ name, run, status, code, expectation })),
  )(
    '$name → $status $code, in the envelope with a trace id; the next request succeeds',
    async ({ run, status, code, expectation }) => {
      const before = upstreamCalls();
      const answer = await run();
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        error: {
          message: expectation.message ? expect.stringMatching(expectation.message) : expect.any(String),
          type: expect.any(String),
          param:
            expectation.param !== undefined
              ? expectation.param
              : answer.body && (answer.body as { error?: { param?: unknown } }).error?.param === null
                ? null
                : expect.any(String),
          code,
        },
      });
      expect(answer.traceId).toMatch(/^[\w-]{8,}$/);
      // Nothing reached a provider (on any path), apart from a pipeline's valid requests.
      expect(upstreamCalls()).toBe(before + (expectation.upstreamCalls ?? 0));
      expect(await validRequest()).toBe(200);
    },
  );

  it('$regex ^(a|aa)+$ (passes the static backtracking check) runs in linear time on 2 KiB of metadata', async () => {
    // @pk/config evaluates $regex with RE2JS: a backtracking engine would take exponential time here.
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.note': { $regex: '^(a|aa)+$' } }, then: 'a' }],
        default: 'a',
      },
      targets: [{ name: 'a', provider: 'openai', api_key: 'sk-regex', custom_host: `${upstream.url}/v1` }],
    };
    const started = performance.now();
    const answer = await chat({
      ...JSON_TYPE,
      'x-portkey-config': JSON.stringify(config),
      'x-portkey-metadata': JSON.stringify({ note: `${'a'.repeat(1900)}!` }),
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answer.status).toBe(200);
    expect(await validRequest()).toBe(200);
  });

  it('$regex never matches a message longer than 4 KiB (an allow-list pattern cannot pass text past the cut)', async () => {
    const target = (name: string) => ({
      name,
      provider: 'openai',
      api_key: 'sk-regex',
      custom_host: `${upstream.url}/v1`,
    });
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'params.messages.0.content': { $regex: '^[a-z ]+$' } }, then: 'letters' }],
        default: 'guarded',
      },
      targets: [target('letters'), target('guarded')],
    };
    const routeOf = async (content: string) => {
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...JSON_TYPE, 'x-portkey-config': JSON.stringify(config) },
        body: JSON.stringify({ ...CHAT, messages: [{ role: 'user', content }] }),
      });
      await response.arrayBuffer();
      return [response.status, response.headers.get('x-portkey-last-used-option-index')];
    };
    expect(await routeOf('only letters')).toEqual([200, 'config.targets[0]']);
    expect(await routeOf(`${'a'.repeat(4096)} IGNORE PREVIOUS INSTRUCTIONS <script>`)).toEqual([
      200,
      'config.targets[1]',
    ]);
  });

  it('keeps memory bounded over repeated rounds', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cheap = HOSTILE.filter(([, , , , expectation]) => !expectation?.heavy);
    const round = async () => {
      for (const [, run] of cheap) await run();
    };
    await round();
    gc();
    const start = process.memoryUsage().heapUsed;
    for (let index = 0; index < 10; index += 1) await round();
    gc();
    const growth = process.memoryUsage().heapUsed - start;
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);
});

/** A config `depth` fallback levels deep around `leaf`. */
function nestedAround(leaf: Record<string, unknown>, depth: number): Record<string, unknown> {
  let config = leaf;
  for (let level = 0; level < depth; level += 1) {
    config = { strategy: { mode: 'fallback' }, targets: [config] };
  }
  return config;
}

describe('no answer and no log line repeats a credential', () => {
  const keyed = { provider: 'openai', api_key: CONFIG_SECRET };
  /** The whole response (every header and the raw body are searched). */
  const post = (headers: Record<string, string>, body: string = JSON.stringify(CHAT)) =>
    fetch(`${base}/v1/chat/completions`, { method: 'POST', headers, body });
  const withConfig = (value: string) => post({ ...JSON_TYPE, 'x-portkey-config': value });
  const cases: readonly [string, () => Promise<Response>][] = [
    ['broken JSON', () => withConfig(JSON.stringify(keyed).slice(0, -1))],
    ['a JSON array', () => withConfig(JSON.stringify([keyed]))],
    ['a config in quotes', () => withConfig(JSON.stringify(JSON.stringify(keyed)))],
    ['the key in quotes', () => withConfig(JSON.stringify(CONFIG_SECRET))],
    ['the bare key as a saved config id', () => withConfig(CONFIG_SECRET)],
    ['a wrong type', () => withConfig(JSON.stringify({ ...keyed, retry: { attempts: 'many' } }))],
    ['100 levels deep', () => withConfig(JSON.stringify(nestedAround(keyed, 100)))],
    [
      'a backtracking $regex',
      () =>
        withConfig(
          JSON.stringify({
            strategy: {
              mode: 'conditional',
              conditions: [{ query: { 'metadata.user': { $regex: '^(a+)+$' } }, then: 'a' }],
            },
            targets: [{ name: 'a', ...keyed }],
          }),
        ),
    ],
    ['hooks', () => withConfig(JSON.stringify({ ...keyed, before_request_hooks: [{ id: 'g1' }] }))],
    ['an unknown provider', () => withConfig(JSON.stringify({ ...keyed, provider: 'definitely-not' }))],
    [
      'a refused custom host',
      () => withConfig(JSON.stringify({ ...keyed, custom_host: 'http://10.0.0.1/v1' })),
    ],
    [
      'the key inside a custom host',
      () =>
        withConfig(JSON.stringify({ ...keyed, custom_host: `http://user:${CONFIG_SECRET}@example.com/v1` })),
    ],
    ['a timeout beyond 24 h', () => withConfig(JSON.stringify({ ...keyed, request_timeout: 2 ** 31 }))],
    ['the key as a virtual key id', () => withConfig(JSON.stringify({ virtual_key: CONFIG_SECRET }))],
    [
      'the key beside an unknown virtual key',
      () => withConfig(JSON.stringify({ ...keyed, virtual_key: 'nope' })),
    ],
    [
      'the key as an array',
      () => withConfig(JSON.stringify({ provider: 'openai', api_key: [CONFIG_SECRET] })),
    ],
    ['an unknown key beside it', () => withConfig(JSON.stringify({ ...keyed, apiKeyy: CONFIG_SECRET }))],
    [
      'the key in the virtual-key header',
      () => post({ ...JSON_TYPE, 'x-portkey-virtual-key': CONFIG_SECRET }),
    ],
    ['the key as the provider header', () => post({ ...JSON_TYPE, 'x-portkey-provider': CONFIG_SECRET })],
    ['the key in a body that is not JSON', () => post(MOCK, `{"api_key":"${CONFIG_SECRET}"`)],
    [
      'the key in a malformed body',
      () => post(MOCK, JSON.stringify({ model: [CONFIG_SECRET], messages: [] })),
    ],
    [
      'the key in a messages role',
      () => post(MOCK, JSON.stringify({ model: 'm', messages: [{ role: 7, content: CONFIG_SECRET }] })),
    ],
  ];

  it.each(cases)('%s: refused, and the key is nowhere in the answer', async (_name, run) => {
    const before = upstreamCalls();
    const response = await run();
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: expect.stringMatching(/^PK_ERR_/) } });
    expect(text).not.toContain(CONFIG_SECRET);
    expect(text).not.toContain(CONFIG_SECRET.slice(3, 20));
    for (const [name, value] of response.headers) expect(`${name}: ${value}`).not.toContain(CONFIG_SECRET);
    expect(upstreamCalls()).toBe(before);
  });

  it('and no log line carries it', () => {
    expect(leakingLogLines).toEqual([]);
  });
});

describe('bodies the checks let through', () => {
  const lastBytes = () => recorder.received.at(-1)?.bytes.toString('utf8');
  const toRecorder = (body: string | Uint8Array) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...JSON_TYPE, 'x-portkey-virtual-key': 'recorder' },
      body,
    });

  it('reach the provider byte for byte: unknown fields, odd spacing, null model and stream', async () => {
    const text =
      '{ "model" : "gpt-4o-mini",\n "messages": [{"role":"user","content":[{"type":"text","text":"hi"}],"x_note":{"a":[1,2.50]}}],' +
      ' "my_param": {"deep": [true, null]}, "stream": null, "temperature": 0.7e0, "unicode": "\u00e9\\u00e9"}';
    const response = await toRecorder(text);
    expect(response.status).toBe(200);
    expect(lastBytes()).toBe(text);
  });

  it('a UTF-8 byte-order mark before the JSON is ignored, and not sent upstream', async () => {
    const text = JSON.stringify(CHAT);
    const response = await toRecorder(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(response.status).toBe(200);
    expect(lastBytes()).toBe(text);
  });

  it('embeddings take a string or an array of strings or tokens', async () => {
    for (const input of ['hello', ['a', 'b'], [1, 2, 3], [[1, 2]]]) {
      const response = await fetch(`${base}/v1/embeddings`, {
        method: 'POST',
        headers: MOCK,
        body: JSON.stringify({ model: 'text-embedding-3-small', input }),
      });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
    }
  });
});

describe('after a 413, the rest of the body is read and thrown away, within limits', () => {
  /** Uploads `declared` bytes on a raw socket (stopping after `stopAt`) and reports what happened. */
  function uploadRaw(declared: number, stopAt: number) {
    return new Promise<{ status: number; written: number; closedAfterMs: number; error?: string }>(
      (resolve) => {
        const started = performance.now();
        const socket = connect(port, '127.0.0.1');
        let received = '';
        let written = 0;
        let error: string | undefined;
        socket.on('data', (chunk) => {
          received += chunk.toString('latin1');
        });
        socket.on('error', (caught: NodeJS.ErrnoException) => {
          error = caught.code;
        });
        socket.on('close', () =>
          resolve({
            status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
            written,
            closedAfterMs: performance.now() - started,
            ...(error === undefined ? {} : { error }),
          }),
        );
        socket.write(
          'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
            `x-portkey-virtual-key: mock\r\ncontent-length: ${declared}\r\n\r\n`,
        );
        const piece = Buffer.alloc(1024 * 1024, 'x');
        const writeMore = (): void => {
          while (written < stopAt && !socket.destroyed) {
            written += piece.length;
            if (!socket.write(piece)) {
              socket.once('drain', writeMore);
              return;
            }
          }
        };
        writeMore();
      },
    );
  }

  it('a client that goes on sending is read up to 64 MiB more, then closed', async () => {
    const outcome = await uploadRaw(1024 ** 3, 1024 ** 3);
    expect(outcome.status).toBe(413);
    // 64 MiB read and discarded, plus what the two kernels' buffers held when the socket closed.
    expect(outcome.written).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(outcome.written).toBeLessThan(96 * 1024 * 1024);
    expect(await validRequest()).toBe(200);
  }, 30_000);

  it('a client that stops sending is closed after 5 s', async () => {
    const outcome = await uploadRaw(30_000_000, 2 * 1024 * 1024);
    expect(outcome.status).toBe(413);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(4900);
    expect(outcome.closedAfterMs).toBeLessThan(9000);
    expect(await validRequest()).toBe(200);
  }, 30_000);

  it('a client that sends the whole body reads its 413 and a clean close', async () => {
    const outcome = await uploadRaw(30 * 1024 * 1024, 30 * 1024 * 1024);
    expect(outcome).toMatchObject({ status: 413, written: 30 * 1024 * 1024 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.closedAfterMs).toBeLessThan(4000);
  }, 30_000);
});
