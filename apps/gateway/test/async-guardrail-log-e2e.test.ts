import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { logLineWhere, writeMarkerLine } from './support/output-lines.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// `async` guardrails through the built gateway and the portkey-ai SDK: the client's answer never
// waits for them; their verdicts reach the request's log record (GET /v1/logs/:id, the console) and
// their stdout line carries the request's trace id. The webhook holds its answers until the test
// lets them go, so the record is queued while they still run.
const TEAM = 'pk-async-log-team';
const ADMIN = 'pk-async-log-admin';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

type Json = Record<string, unknown>;

/** A guardrail webhook that says no, holding each answer until {@link release}. */
interface HeldWebhook {
  readonly url: string;
  /** Calls received so far. */
  readonly calls: () => number;
  release(): void;
  close(): Promise<void>;
}

async function startHeldWebhook(): Promise<HeldWebhook> {
  const held: ServerResponse[] = [];
  let calls = 0;
  let released = false;
  const answer = (response: ServerResponse) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verdict: false }));
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls += 1;
      if (released) answer(response);
      else held.push(response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    release() {
      released = true;
      for (const response of held.splice(0)) answer(response);
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

const settingsOf = (upstream: MockOpenAI, webhook: HeldWebhook) => ({
  gateway_keys: [
    { id: 'team', key: TEAM },
    { id: 'logs-admin', key: ADMIN, role: 'admin' },
  ],
  virtual_keys: {
    'openai-a': {
      provider: 'openai',
      api_key: 'sk-async-log',
      options: { custom_host: `${upstream.url}/v1` },
    },
  },
  guardrails: {
    'async-policy': {
      deny: true,
      async: true,
      checks: [
        { id: 'default.webhook', parameters: { webhookURL: `${webhook.url}/policy`, timeout: 10_000 } },
      ],
    },
  },
});

const config = {
  virtual_key: 'openai-a',
  input_guardrails: ['async-policy'],
  output_guardrails: ['async-policy'],
};

describe('async guardrails in the request log', () => {
  let upstream: MockOpenAI;
  let webhook: HeldWebhook;
  let gateway: FeatureGateway;

  beforeAll(async () => {
    upstream = await startMockOpenAI();
    webhook = await startHeldWebhook();
    gateway = await startFeatureGateway({ settings: settingsOf(upstream, webhook) });
  });
  afterAll(async () => {
    await gateway?.stop();
    await webhook?.close();
    await upstream?.close();
  });

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${gateway.base}${path}`, { headers: { 'x-portkey-api-key': ADMIN } });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it('the answer does not wait for them; the record, queued once they finish, has both verdicts, and each stdout line the trace id', async () => {
    const traceId = `async-log-${Date.now().toString(36)}`;
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: TEAM,
      traceID: traceId,
      config,
      maxRetries: 0,
    });
    const completion = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    // Answered while both webhook calls are still held: the client never waits for an async hook.
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    await vi.waitFor(() => expect(webhook.calls()).toBe(2), { timeout: 3000 });
    await gateway.waitForRequestLines(traceId);
    expect(gateway.requestLines(traceId)).toMatchObject([{ status: 200 }]);

    webhook.release();
    const listed = await vi.waitFor(
      async () => {
        const logs = await get(`/logs?trace_id=${traceId}`);
        const data = logs.body.data as Json[];
        expect(data).toHaveLength(1);
        return data[0] as Json;
      },
      { timeout: 5000, interval: 100 },
    );
    const detail = await get(`/logs/${listed.id as string}`);
    expect(detail.status).toBe(200);
    const hook = (event: string) => ({
      id: 'async-policy',
      event,
      async: true,
      verdict: false,
      // It ran after the answer was sent: it reports, it denies nothing.
      deny: false,
      // Portkey's wording for a webhook's `verdict: false`.
      checks: [{ id: 'default.webhook', verdict: false, data: { explanation: 'Webhook request failed' } }],
    });
    expect(detail.body).toMatchObject({ status: 200, trace_id: traceId });
    expect(
      [...(detail.body.guardrails as Json[])].sort((a, b) => String(a.event).localeCompare(String(b.event))),
    ).toMatchObject([hook('after_request'), hook('before_request')]);

    // One stdout line per async hook, naming the request's trace id and the event it ran on.
    const isHookLine = logLineWhere((line) => line.msg === 'guardrail' && line.hook === 'async-policy');
    await gateway.process.waitForLines(isHookLine, { count: 2 });
    await writeMarkerLine(gateway.process);
    const lines = gateway.logLines().filter(isHookLine);
    expect(lines.map((line) => [line.traceId, line.event, line.verdict, line.async]).sort()).toEqual([
      [traceId, 'after_request', false, true],
      [traceId, 'before_request', false, true],
    ]);
  });
});

describe('async guardrails still running at SIGTERM', () => {
  it('the request’s record is written anyway, with what had finished', async () => {
    const upstream = await startMockOpenAI();
    const webhook = await startHeldWebhook();
    const dataDir = temporaryDataDir();
    const gateway = await startFeatureGateway({
      settings: settingsOf(upstream, webhook),
      env: { PK_DATA_DIR: dataDir.path },
    });
    try {
      const traceId = 'async-sigterm-1';
      const portkey = new Portkey({
        baseURL: gateway.base,
        apiKey: TEAM,
        traceID: traceId,
        config,
        maxRetries: 0,
      });
      await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      await vi.waitFor(() => expect(webhook.calls()).toBe(2), { timeout: 3000 });
      await gateway.waitForRequestLines(traceId);
      gateway.process.child.kill('SIGTERM');
      await gateway.process.exited;
      const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
      try {
        const trace = await store.logs.trace(traceId);
        expect(trace).toHaveLength(1);
        expect(trace[0]).toMatchObject({ status: 200, provider: 'openai' });
      } finally {
        await store.close();
      }
    } finally {
      webhook.release();
      await gateway.stop();
      await webhook.close();
      await upstream.close();
      dataDir.remove();
    }
  });
});
