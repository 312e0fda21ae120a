import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { resolveSettings } from '../src/settings/load-settings.js';

/**
 * The hot path's work, counted instead of timed: the number of JSON parses and serialisations and of
 * byte/text copies (Buffer.concat, Buffer#toString, TextDecoder#decode, StringDecoder#write, Buffer.from of a string) the
 * gateway makes for one request, through hooks this test installs around the request (from the moment
 * it is sent until its end-of-request listener ran, the log line included). The upstream is a real HTTP
 * server answering OpenAI's wire format from fixed bytes, so none of the counted work is its own.
 *
 * A change that adds a parse or a copy to the hot path fails here. A change that removes one updates
 * the figures (and says so in its commit). What is counted today: the request body's parse; the
 * upstream answer's parse (its text is what the client gets back); the log line's serialisation (one
 * `JSON.stringify` of its fields, `src/logging/request-line.ts`); for a stream, the SSE frames
 * decoded (`stream_options.include_usage` is added to the client's bytes, not by a serialisation);
 * for a cache hit, nothing more: the entry is parsed by the first hit of a text and reused while the
 * store returns that text (`src/cache/answer-cache.ts`), and the key's canonical JSON quotes strings
 * and writes numbers without `JSON.stringify` (`canonicalJson`).
 */

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-work0001',
    object: 'chat.completion',
    created: 1_731_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
    system_fingerprint: 'fp_work',
  }),
);
const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-work0001',
    object: 'chat.completion.chunk',
    created: 1_731_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;
const STREAM = Buffer.from(
  [
    chunk({ role: 'assistant', content: '' }, null),
    chunk({ content: 'The capital of France ' }, null),
    chunk({ content: 'is Paris.' }, null),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ].join(''),
);

/** Copies of fewer bytes than this are header names and values, not bodies: not counted. */
const BODY_SIZE = 128;
const sizeOf = (value: unknown): number =>
  typeof value === 'string'
    ? value.length
    : value instanceof Uint8Array || value instanceof ArrayBuffer
      ? value.byteLength
      : Array.isArray(value)
        ? value.reduce((total: number, part: Uint8Array) => total + part.byteLength, 0)
        : 0;

interface Work {
  parse: number;
  stringify: number;
  copies: number;
}

/** Counts calls of the hooked functions while `counting` is on. */
function installCounters(): { work: Work; start(): void; stop(): Work; uninstall(): void } {
  const work: Work = { parse: 0, stringify: 0, copies: 0 };
  let counting = false;
  // PK_WORK_TRACE=1 prints where each counted call came from.
  const trace = process.env.PK_WORK_TRACE === '1';
  const note = (kind: string) => {
    if (trace) process.stderr.write(`${kind} ${new Error().stack?.split('\n').slice(3, 9).join(' <')}\n`);
  };
  const originals = {
    parse: JSON.parse,
    stringify: JSON.stringify,
    concat: Buffer.concat,
    toString: Buffer.prototype.toString,
    decode: TextDecoder.prototype.decode,
    write: StringDecoder.prototype.write,
    from: Buffer.from,
  };
  JSON.parse = function (this: unknown, ...args: Parameters<typeof JSON.parse>) {
    if (counting) {
      work.parse += 1;
      note('parse');
    }
    return originals.parse.apply(this, args);
  };
  JSON.stringify = function (this: unknown, ...args: Parameters<typeof JSON.stringify>) {
    if (counting) {
      work.stringify += 1;
      note('stringify');
    }
    return originals.stringify.apply(this, args);
  } as typeof JSON.stringify;
  Buffer.concat = function (this: unknown, ...args: Parameters<typeof Buffer.concat>) {
    if (counting && sizeOf(args[0]) >= BODY_SIZE) {
      work.copies += 1;
      note('copy');
    }
    return originals.concat.apply(this, args);
  } as typeof Buffer.concat;
  Buffer.prototype.toString = function (this: Buffer, ...args: unknown[]) {
    if (counting && this.byteLength >= BODY_SIZE) {
      work.copies += 1;
      note('copy');
    }
    return (originals.toString as (...rest: unknown[]) => string).apply(this, args);
  } as typeof Buffer.prototype.toString;
  TextDecoder.prototype.decode = function (this: unknown, ...args: unknown[]) {
    if (counting && sizeOf(args[0]) >= BODY_SIZE) {
      work.copies += 1;
      note('copy');
    }
    return (originals.decode as (...rest: unknown[]) => string).apply(this, args);
  };
  StringDecoder.prototype.write = function (this: StringDecoder, ...args: unknown[]) {
    if (counting && sizeOf(args[0]) >= BODY_SIZE) {
      work.copies += 1;
      note('copy');
    }
    return (originals.write as (...rest: unknown[]) => string).apply(this, args);
  };
  Buffer.from = function (this: unknown, ...args: unknown[]) {
    if (counting && typeof args[0] === 'string' && args[0].length >= BODY_SIZE) {
      work.copies += 1;
      note('copy');
    }
    return (originals.from as (...rest: unknown[]) => Buffer).apply(this, args);
  } as typeof Buffer.from;
  return {
    work,
    start() {
      work.parse = 0;
      work.stringify = 0;
      work.copies = 0;
      counting = true;
    },
    stop() {
      counting = false;
      return { ...work };
    },
    uninstall() {
      counting = false;
      JSON.parse = originals.parse;
      JSON.stringify = originals.stringify;
      Buffer.concat = originals.concat;
      Buffer.prototype.toString = originals.toString;
      TextDecoder.prototype.decode = originals.decode;
      StringDecoder.prototype.write = originals.write;
      Buffer.from = originals.from;
    },
  };
}

let upstream: Server;
let upstreamUrl: string;
let gateway: FastifyInstance;
let gatewayUrl: string;
let logLines = 0;
let client: Pool;
let counters: ReturnType<typeof installCounters>;
let ended: (() => void) | undefined;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    let streamed = false;
    // The body is only scanned for `"stream":true` (no parse, no copy in this process's counts).
    request.on('data', (part: Buffer) => {
      if (part.includes('"stream":true')) streamed = true;
    });
    request.on('end', () => {
      response.writeHead(200, {
        'content-type': streamed ? 'text/event-stream' : 'application/json',
        'content-length': String((streamed ? STREAM : COMPLETION).length),
      });
      response.end(streamed ? STREAM : COMPLETION);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  // Log lines go to a sink that keeps nothing (the batched stdout destination has its own tests).
  gateway = await buildApp({
    settings: resolveSettings({}, { env: {}, files: new Map() }),
    logger: {
      level: 'info',
      stream: {
        write: () => {
          logLines += 1;
        },
      },
    },
  });
  gateway.onRequestEnd(() => ended?.());
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  client = new Pool(gatewayUrl, { connections: 1 });
  counters = installCounters();
});

afterAll(async () => {
  counters?.uninstall();
  await client?.close();
  await gateway?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

const MESSAGES = [
  {
    role: 'system',
    content:
      'You answer questions about geography in one short sentence, without a preamble, and you name your source when asked for it.',
  },
  { role: 'user', content: 'What is the capital of France?' },
];
const REQUEST = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES }));
const STREAM_REQUEST = Buffer.from(
  JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }),
);

/** One request through the gateway; the work counted from its sending to its end-of-request listener. */
async function countOne(body: Buffer, extraHeaders: Record<string, string> = {}) {
  const headers = {
    'content-type': 'application/json',
    authorization: 'Bearer sk-work',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamUrl}/v1`,
    ...extraHeaders,
  };
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  counters.start();
  const response = await client.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
  const chunks: Buffer[] = [];
  for await (const piece of response.body) chunks.push(piece as Buffer);
  await done;
  const work = counters.stop();
  ended = undefined;
  expect(logLines).toBeGreaterThan(0);
  return { status: response.statusCode, text: Buffer.concat(chunks).toString('utf8'), work };
}

describe('the hot path: work per request, counted', () => {
  it('a chat completion', async () => {
    await countOne(REQUEST); // warm-up: caches filled once per distinct header value
    const { status, text, work } = await countOne(REQUEST);
    expect(status).toBe(200);
    expect(text).toContain('The capital of France is Paris.');
    expect(work).toEqual({ parse: 2, stringify: 1, copies: 2 });
  });

  it('a streamed chat completion', async () => {
    await countOne(STREAM_REQUEST);
    const { status, text, work } = await countOne(STREAM_REQUEST);
    expect(status).toBe(200);
    expect(text).toContain('data: [DONE]');
    expect(work).toEqual({ parse: 1, stringify: 1, copies: 4 });
  });

  it('a simple-cache hit', async () => {
    const config = { 'x-portkey-config': JSON.stringify({ cache: { mode: 'simple', max_age: 60 } }) };
    await countOne(REQUEST, config); // the miss that stores the answer
    await countOne(REQUEST, config); // the first hit parses the entry
    const { status, text, work } = await countOne(REQUEST, config);
    expect(status).toBe(200);
    expect(text).toContain('The capital of France is Paris.');
    expect(work).toEqual({ parse: 1, stringify: 1, copies: 2 });
  });
});
