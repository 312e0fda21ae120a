import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { openAIBatch } from './support/openai-batch.js';
import { residentMiB } from './support/process-memory.js';

// Portkey's `GET /v1/batches/{id}/output` of a 50 MB output file to a client that reads slowly: the
// file's bytes flow from the provider to the client with backpressure, never held whole, so the
// gateway's memory does not grow by the file's size (as `stream-memory.test.ts` checks for SSE).
const LINE = `${JSON.stringify({
  id: 'batch_req_x',
  custom_id: 'request-x',
  response: { status_code: 200, request_id: 'req_x', body: { content: 'x'.repeat(8 * 1024) } },
  error: null,
})}\n`;
const LINES = 6400; // ≈ 50 MB of JSONL
const LAST_LINE = '{"id":"batch_req_last","custom_id":"request-last","response":null,"error":null}\n';
let upstream: Server;
let upstreamUrl = '';
let gateway: GatewayProcess;

/** The batch: completed, its output the 50 MB file (the warm-up's a short one). */
const batch = (id: string, fileId: string) =>
  openAIBatch(id, {
    output_file_id: fileId,
    request_counts: { total: LINES + 1, completed: LINES + 1, failed: 0 },
  });

beforeAll(async () => {
  upstream = createServer(async (request, response) => {
    const path = request.url ?? '';
    const batchId = /^\/v1\/batches\/([^/]+)$/.exec(path)?.[1];
    if (batchId !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(batch(batchId, batchId === 'batch_warm' ? 'file-warm' : 'file-big')));
      return;
    }
    const fileId = /^\/v1\/files\/(file-warm|file-big)\/content$/.exec(path)?.[1];
    if (fileId === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const count = fileId === 'file-warm' ? 10 : LINES;
    for (let index = 0; index < count; index += 1) {
      // Respect backpressure like a real upstream: wait for drain when the socket is full.
      if (!response.write(LINE)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end(LAST_LINE);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGateway();
  // Warm-up with a short file: the first request compiles the whole path; the measurement is of the
  // 50 MB file, not of that.
  const warm = await fetch(`${gateway.url}/v1/batches/batch_warm/output`, { headers: headers() });
  await warm.text();
});
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function headers(): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    authorization: 'Bearer sk-big',
    'x-portkey-custom-host': `${upstreamUrl}/v1`,
  };
}

const rssMiB = (pid: number): number => residentMiB(pid) ?? 0;

describe('a slow reader of a 50 MB batch output', () => {
  it('gets every byte while the gateway RSS grows by less than 50 MB', async () => {
    const pid = gateway.child.pid ?? 0;
    const baseline = rssMiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 50);
    const { port } = new URL(gateway.url);
    const received = await new Promise<{ status: number; bytes: number; tail: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          path: '/v1/batches/batch_big/output',
          method: 'GET',
          headers: headers(),
        },
        (response) => {
          let bytes = 0;
          let reads = 0;
          let tail = '';
          // The slow reader: nothing for 2 s (a gateway that buffered would take the whole file in
          // meanwhile), then a 5 ms stop after every 16th socket read (one after each read made
          // this file take ~50 s, for nothing more proven).
          response.pause();
          setTimeout(() => response.resume(), 2000);
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            tail = (tail + chunk.toString()).slice(-LAST_LINE.length);
            reads += 1;
            if (reads % 16 !== 0) return;
            response.pause();
            setTimeout(() => response.resume(), 5);
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, tail }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
    clearInterval(sampler);
    expect(received.status).toBe(200);
    expect(received.tail).toBe(LAST_LINE);
    expect(received.bytes).toBe(LINES * Buffer.byteLength(LINE) + LAST_LINE.length);
    expect(received.bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(peak - baseline).toBeLessThan(50);
  }, 120_000);
});
