import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { residentMiB } from './support/process-memory.js';

// A 50 MB stream to a client that stops reading: backpressure must reach the upstream, so the
// gateway's memory does not grow by the size of the stream.
const CHUNK_CONTENT = 'x'.repeat(8 * 1024);
const CHUNKS = 6400; // ≈ 50 MB of SSE
let upstream: Server;
let upstreamUrl = '';
let gateway: GatewayProcess;

function frame(index: number): string {
  const chunk = {
    id: 'chatcmpl-big',
    object: 'chat.completion.chunk',
    created: 1731000000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: '' } : { content: CHUNK_CONTENT },
        logprobs: null,
        finish_reason: null,
      },
    ],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

beforeAll(async () => {
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (part: Buffer) => {
      body += part.toString();
    });
    request.on('end', async () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const count = body.includes('"warm"') ? 10 : CHUNKS;
      for (let index = 0; index < count; index += 1) {
        // Respect backpressure like a real upstream: wait for drain when the socket is full.
        if (!response.write(frame(index))) await new Promise((resolve) => response.once('drain', resolve));
      }
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGateway();
  // Warm-up with a short stream: the first stream compiles the whole path; the measurement is of the
  // 50 MB stream, not of that.
  const warm = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-big',
      'x-portkey-custom-host': `${upstreamUrl}/v1`,
    },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'warm' }],
    }),
  });
  await warm.text();
});
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

const rssMiB = (pid: number): number => residentMiB(pid) ?? 0;

describe('a slow reader of a 50 MB stream', () => {
  it('gets every byte while the gateway RSS grows by less than 50 MB', async () => {
    const pid = gateway.child.pid ?? 0;
    const baseline = rssMiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 50);
    const { port } = new URL(gateway.url);
    const received = await new Promise<{ bytes: number; done: boolean }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          path: '/v1/chat/completions',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-portkey-provider': 'openai',
            authorization: 'Bearer sk-big',
            'x-portkey-custom-host': `${upstreamUrl}/v1`,
          },
        },
        (response) => {
          let bytes = 0;
          let tail = '';
          // The slow reader: nothing for 2 s, then one socket read at most every 5 ms.
          response.pause();
          setTimeout(() => response.resume(), 2000);
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            tail = (tail + chunk.toString()).slice(-64);
            response.pause();
            setTimeout(() => response.resume(), 5);
          });
          response.on('end', () => resolve({ bytes, done: tail.includes('data: [DONE]') }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(
        JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'big' }] }),
      );
    });
    clearInterval(sampler);
    expect(received.done).toBe(true);
    expect(received.bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(peak - baseline).toBeLessThan(50);
  }, 120_000);
});
