import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';

// SIGTERM as orchestrators send it: in-flight streams finish, new requests get 503, exit 0.
let upstream: MockOpenAI;
const running: GatewayProcess[] = [];
beforeAll(async () => {
  // 20 pieces 100 ms apart: a stream of about 2 s.
  upstream = await startMockOpenAI({ chunks: 20, chunkDelayMs: 100, text: 'abcdefghijklmnopqrst' });
});
afterAll(async () => {
  for (const gateway of running) gateway.child.kill('SIGKILL');
  await upstream.close();
});

async function openStream(gateway: GatewayProcess): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-shutdown-test',
      'x-portkey-custom-host': `${upstream.url}/v1`,
    },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    }),
  });
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  return reader;
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, first = ''): Promise<string> {
  const decoder = new TextDecoder();
  let text = first;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

describe('SIGTERM', () => {
  it('lets a 2 s stream complete, answers new requests 503 + connection: close, then exits 0', async () => {
    const gateway = await startGateway();
    running.push(gateway);
    const reader = await openStream(gateway);
    const first = new TextDecoder().decode((await reader.read()).value);
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await fetch(`${gateway.url}/health`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_SHUTTING_DOWN');
    const text = await readAll(reader, first);
    const content = [...text.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');
    expect(content).toBe('abcdefghijklmnopqrst');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('event: error');
    expect(await gateway.exited).toBe(0);
  });

  it('ends streams still open after PK_SHUTDOWN_TIMEOUT_MS with event: error, then exits 0', async () => {
    const gateway = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '300' });
    running.push(gateway);
    const reader = await openStream(gateway);
    await reader.read();
    gateway.child.kill('SIGTERM');
    const text = await readAll(reader);
    expect(text).toContain('event: error');
    expect(text).toContain('the gateway is shutting down');
    expect(text).not.toContain('data: [DONE]');
    expect(await gateway.exited).toBe(0);
  });
});
