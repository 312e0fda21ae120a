// A mock OpenAI upstream for the benchmark and end-to-end tests: a real HTTP server on 127.0.0.1
// that answers /v1/chat/completions (JSON or SSE) and /v1/embeddings in OpenAI's wire format
// (https://platform.openai.com/docs/api-reference/chat/object, .../chat-streaming/streaming).
// Latency and chunking are configurable so the benchmark can model real upstreams.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const CREATED = 1_731_000_000;

function completion(model, text) {
  return {
    id: 'chatcmpl-mock0001',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 12,
      completion_tokens: 9,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
}

function chunk(model, delta, finishReason) {
  return {
    id: 'chatcmpl-mock0001',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * Starts the mock. Options: `port` (0 = any), `latencyMs` (before the response headers),
 * `chunks` (stream pieces), `chunkDelayMs` (between pieces), `text` (the answer), `record` (keep
 * every request's path, headers, parsed body and body bytes in `received`). Returns `{ url, port, close(), requests,
 * received, connections }`; `requests` counts requests per path, `connections` TCP connections. A model named `fail-<status>` answers that status
 * with an OpenAI error body; `flaky-<n>-<status>[-<name>]` answers that status to its first n requests
 * and then as usual (a retry rescues it); `slow-<ms>` waits that long before answering.
 */
export async function startMockOpenAI(options = {}) {
  const latencyMs = options.latencyMs ?? 0;
  const chunks = options.chunks ?? 8;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const text = options.text ?? 'The capital of France is Paris.';
  const requests = new Map();
  const received = [];
  /** Requests each `flaky-…` model has had. */
  const flakyCalls = new Map();
  const server = createServer((request, response) => {
    const body = [];
    request.on('data', (part) => body.push(part));
    request.on('end', async () => {
      const path = (request.url ?? '').split('?')[0];
      requests.set(path, (requests.get(path) ?? 0) + 1);
      let payload;
      try {
        payload = JSON.parse(Buffer.concat(body).toString() || '{}');
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: 'bad json', type: 'invalid_request_error', param: null, code: null },
          }),
        );
        return;
      }
      if (options.record)
        received.push({ path, headers: request.headers, body: payload, bytes: Buffer.concat(body) });
      const model = payload.model ?? 'gpt-4o-mini';
      // Scripted behaviour for tests: model `fail-<status>` answers that status, `slow-<ms>` waits first.
      const slow = /^slow-(\d+)$/.exec(model);
      await sleep(slow ? Number(slow[1]) : latencyMs);
      const flaky = /^flaky-(\d+)-(\d{3})(?:-.+)?$/.exec(model);
      const calls = flaky ? (flakyCalls.get(model) ?? 0) + 1 : 0;
      if (flaky) flakyCalls.set(model, calls);
      const fail =
        /^fail-(\d{3})$/.exec(model) ?? (flaky && calls <= Number(flaky[1]) ? [model, flaky[2]] : null);
      if (fail) {
        const status = Number(fail[1]);
        response.writeHead(status, {
          'content-type': 'application/json',
          ...(status === 429 ? { 'retry-after': '0' } : {}),
        });
        response.end(
          JSON.stringify({
            error: {
              message: `The server had an error (scripted ${status})`,
              type: status === 429 ? 'requests' : 'server_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      }
      if (path.endsWith('/embeddings')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            object: 'list',
            data: [{ object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347] }],
            model,
            usage: { prompt_tokens: 8, total_tokens: 8 },
          }),
        );
        return;
      }
      if (!path.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: {
              message: `Unknown path ${path}`,
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      }
      if (!payload.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(completion(model, text)));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const size = Math.max(1, Math.ceil(text.length / chunks));
      response.write(
        `data: ${JSON.stringify(chunk(model, { role: 'assistant', content: '', refusal: null }, null))}\n\n`,
      );
      for (let offset = 0; offset < text.length; offset += size) {
        await sleep(chunkDelayMs);
        response.write(
          `data: ${JSON.stringify(chunk(model, { content: text.slice(offset, offset + size) }, null))}\n\n`,
        );
      }
      response.write(`data: ${JSON.stringify(chunk(model, {}, 'stop'))}\n\n`);
      if (payload.stream_options?.include_usage) {
        const usage = completion(model, text).usage;
        response.write(`data: ${JSON.stringify({ ...chunk(model, {}, null), choices: [], usage })}\n\n`);
      }
      response.end('data: [DONE]\n\n');
    });
  });
  server.keepAliveTimeout = 60_000;
  // TCP connections accepted so far: tests check that the gateway reuses its upstream sockets.
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// As a process (the benchmark runs it on its own core): `node mock-openai-upstream.mjs --port N ...`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argument = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(process.argv[index + 1]);
  };
  const mock = await startMockOpenAI({
    port: argument('port', 0),
    latencyMs: argument('latency', 0),
    chunks: argument('chunks', 8),
    chunkDelayMs: argument('chunk-delay', 0),
  });
  process.stdout.write(`mock upstream listening on ${mock.url}\n`);
  process.on('SIGTERM', () => mock.close().then(() => process.exit(0)));
}
