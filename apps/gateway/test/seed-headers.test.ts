import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { requestLineOf } from './support/output-lines.js';

// The examples of Portkey's headers document (shared/reference/seeds/README.md), as a client sends
// them with curl. Upstreams are mocks on 127.0.0.1, so each example also names the mock as custom
// host where the document would reach the real provider. The two cache headers belong to the cache issue.
let upstream: MockOpenAI;
let gateway: RunningGateway;
let vendor: VendorMock;

/** Answers Gemini's and Bedrock Converse's documented response shapes, whatever the path. */
interface VendorMock {
  readonly url: string;
  last(): { path: string; authorization: string | undefined } | undefined;
  close(): Promise<void>;
}

async function startVendorMock(): Promise<VendorMock> {
  const seen: { path: string; authorization: string | undefined }[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '';
      seen.push({ path, authorization: request.headers.authorization });
      response.writeHead(200, { 'content-type': 'application/json' });
      // https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference (response body)
      const gemini = {
        candidates: [
          { content: { role: 'model', parts: [{ text: 'Paris.' }] }, finishReason: 'STOP', index: 0 },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
        modelVersion: 'gemini-1.5-pro',
      };
      // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html (response syntax)
      const converse = {
        output: { message: { role: 'assistant', content: [{ text: 'Paris.' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
        metrics: { latencyMs: 120 },
      };
      response.end(JSON.stringify(path.endsWith('/converse') ? converse : gemini));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    last: () => seen.at(-1),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  vendor = await startVendorMock();
  gateway = await startGatewayApp(
    {
      gateway_keys: [{ id: 'docs', key: 'env:PORTKEY_API_KEY' }],
      virtual_keys: {
        'openai-prod': {
          provider: 'openai',
          api_key: 'sk-stored',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
      configs: {
        'pc-prod-fallback': {
          strategy: { mode: 'fallback' },
          targets: [
            { virtual_key: 'openai-prod', override_params: { model: 'fail-500' } },
            { virtual_key: 'openai-prod' },
          ],
        },
      },
    },
    { PORTKEY_API_KEY: 'pk-docs-key' },
  );
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  await vendor.close();
});

async function post(headers: Record<string, string>, options: { model?: string } = {}) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-api-key': 'pk-docs-key', ...headers },
    body: options.model ? JSON.stringify({ ...JSON.parse(body), model: options.model }) : body,
  });
  return {
    response,
    json: (await response.json()) as Record<string, unknown> & { error?: { code?: string } },
  };
}
const last = () => upstream.received.at(-1);

describe("the headers document's examples", () => {
  it('1. x-portkey-provider: openai + Authorization: Bearer $OPENAI_API_KEY', async () => {
    const { response } = await post({
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-openai-docs',
      'x-portkey-custom-host': `${upstream.url}/v1`,
    });
    expect(response.status).toBe(200);
    expect(last()?.headers.authorization).toBe('Bearer sk-openai-docs');
  });

  it('2. x-portkey-virtual-key: openai-prod', async () => {
    const { response } = await post({ 'x-portkey-virtual-key': 'openai-prod' });
    expect(response.status).toBe(200);
    expect(last()?.headers.authorization).toBe('Bearer sk-stored');
  });

  it('3a. x-portkey-config as a JSON object with retry, cache, provider and api_key', async () => {
    const config = {
      retry: { attempts: 3 },
      cache: { mode: 'simple' },
      provider: 'openai',
      api_key: 'sk-config-docs',
      custom_host: `${upstream.url}/v1`,
    };
    const { response } = await post({ 'x-portkey-config': JSON.stringify(config) });
    expect(response.status).toBe(200);
    expect(last()?.headers.authorization).toBe('Bearer sk-config-docs');
  });

  it('3b. x-portkey-config: pc-prod-fallback (a saved config id)', async () => {
    const { response } = await post({ 'x-portkey-config': 'pc-prod-fallback' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
  });

  it('4. x-portkey-custom-host: http://localhost:…/v1 + x-portkey-provider: ollama', async () => {
    const local = `http://localhost:${upstream.port}/v1`;
    const { response } = await post({ 'x-portkey-custom-host': local, 'x-portkey-provider': 'ollama' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-provider')).toBe('ollama');
    expect(last()?.path).toBe('/v1/chat/completions');
  });

  it('x-portkey-trace-id is echoed; generated when absent', async () => {
    const given = await post({ 'x-portkey-virtual-key': 'openai-prod', 'x-portkey-trace-id': 'checkout-42' });
    expect(given.response.headers.get('x-portkey-trace-id')).toBe('checkout-42');
    const generated = await post({ 'x-portkey-virtual-key': 'openai-prod' });
    expect(generated.response.headers.get('x-portkey-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('x-portkey-metadata with _user is recorded with the request', async () => {
    await post({
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-trace-id': 'metadata-example',
      'x-portkey-metadata': '{"_user":"user-123","environment":"production"}',
    });
    const line = await gateway.waitForLine(requestLineOf('metadata-example'));
    expect(line.metadata).toEqual({ _user: 'user-123', environment: 'production' });
  });

  it('x-portkey-request-timeout: 5000 (milliseconds) lets a fast answer through and cuts a slow one', async () => {
    const fast = await post({ 'x-portkey-virtual-key': 'openai-prod', 'x-portkey-request-timeout': '5000' });
    expect(fast.response.status).toBe(200);
    const slow = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': 'pk-docs-key',
        'x-portkey-virtual-key': 'openai-prod',
        'x-portkey-request-timeout': '100',
      },
      body: JSON.stringify({ model: 'slow-1000', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(slow.status).toBe(408);
  });

  it('x-portkey-forward-headers: x-custom-a,x-custom-b reach the provider untouched', async () => {
    await post({
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-forward-headers': 'x-custom-a,x-custom-b',
      'x-custom-a': 'A',
      'x-custom-b': 'B',
      'x-custom-c': 'not forwarded',
    });
    expect(last()?.headers['x-custom-a']).toBe('A');
    expect(last()?.headers['x-custom-b']).toBe('B');
    expect(last()?.headers['x-custom-c']).toBeUndefined();
  });

  it('Azure headers: resource name, deployment id, api version (+ Authorization as api-key)', async () => {
    const { response } = await post({
      'x-portkey-provider': 'azure-openai',
      'x-portkey-azure-resource-name': 'my-resource',
      'x-portkey-azure-deployment-id': 'gpt-4o-deployment',
      'x-portkey-azure-api-version': '2024-10-21',
      'x-portkey-azure-model-name': 'gpt-4o',
      authorization: 'Bearer azure-key-docs',
      'x-portkey-custom-host': `${upstream.url}`,
    });
    expect(response.status).toBe(200);
    expect(last()?.path).toBe('/openai/deployments/gpt-4o-deployment/chat/completions');
    expect(last()?.headers['api-key']).toBe('azure-key-docs');
  });

  it('Vertex headers: project id and region (+ Authorization as the bearer token), at a custom host', async () => {
    const { response, json } = await post(
      {
        'x-portkey-provider': 'vertex-ai',
        'x-portkey-vertex-project-id': 'my-project-123',
        'x-portkey-vertex-region': 'us-central1',
        authorization: 'Bearer ya29.vertex-token',
        'x-portkey-custom-host': `${vendor.url}/v1`,
      },
      { model: 'gemini-1.5-pro' },
    );
    expect(response.status).toBe(200);
    expect(json).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Paris.' } }] });
    expect(vendor.last()).toMatchObject({
      path: '/v1/projects/my-project-123/locations/us-central1/publishers/google/models/gemini-1.5-pro:generateContent',
      authorization: 'Bearer ya29.vertex-token',
    });
  });

  it('Bedrock headers: access key, secret, region — the request is SigV4-signed for that region', async () => {
    const { response, json } = await post(
      {
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-access-key-id': 'AKIDEXAMPLE',
        'x-portkey-aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        'x-portkey-aws-region': 'us-east-1',
        'x-portkey-custom-host': vendor.url,
      },
      { model: 'anthropic.claude-3-haiku-20240307-v1:0' },
    );
    expect(response.status).toBe(200);
    expect(json).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'Paris.' } }] });
    expect(vendor.last()?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(vendor.last()?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    expect(gateway.logs()).not.toContain('wJalrXUtnFEMI');
  });

  it('without the gateway key: 401', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': 'openai-prod' },
      body,
    });
    expect(response.status).toBe(401);
  });
});
