import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createUndiciTransport } from '@pk/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// Each provider-header family builds the provider's own URL and auth; the request reaches a mock
// through an injected DNS lookup (the providers' real host names → 127.0.0.77), over TLS with a test
// CA, so no real host is ever contacted. The certificate covers exactly the three names below.
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const MOCK_ADDRESS = '127.0.0.77';
const HOSTS = [
  'my-resource.openai.azure.com',
  'us-central1-aiplatform.googleapis.com',
  'bedrock-runtime.us-east-1.amazonaws.com',
];
const seen: {
  host: string | undefined;
  path: string;
  authorization: string | undefined;
  apiKey: string | undefined;
}[] = [];
let mock: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = createServer(
    { key: fixture('tls-upstreams.key.pem'), cert: fixture('tls-upstreams.cert.pem') },
    (request, response) => {
      request.resume();
      request.on('end', () => {
        const path = request.url ?? '';
        seen.push({
          host: request.headers.host,
          path,
          authorization: request.headers.authorization,
          apiKey: request.headers['api-key'] as string | undefined,
        });
        response.writeHead(200, { 'content-type': 'application/json' });
        if (path.endsWith('/converse')) {
          response.end(
            JSON.stringify({
              output: { message: { role: 'assistant', content: [{ text: 'Paris.' }] } },
              stopReason: 'end_turn',
              usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
            }),
          );
        } else if (path.includes(':generateContent')) {
          response.end(
            JSON.stringify({
              candidates: [
                { content: { role: 'model', parts: [{ text: 'Paris.' }] }, finishReason: 'STOP', index: 0 },
              ],
              usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
            }),
          );
        } else {
          response.end(
            JSON.stringify({
              id: 'chatcmpl-az',
              object: 'chat.completion',
              created: 1731000000,
              model: 'gpt-4o',
              choices: [
                { index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' },
              ],
              usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
            }),
          );
        }
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    mock.once('error', reject);
    mock.listen(443, MOCK_ADDRESS, resolve);
  });
  const transport = createUndiciTransport({
    ca: fixture('tls-upstreams.cert.pem'),
    trustedHosts: HOSTS,
    lookup: async (hostname) => {
      if (!HOSTS.includes(hostname)) throw new Error(`test DNS: ${hostname} is not a test host`);
      return [{ address: MOCK_ADDRESS, family: 4 }];
    },
  });
  gateway = await startGatewayApp({}, {}, { transport });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => mock?.close(resolve));
});

async function chat(headers: Record<string, string>, model: string) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Capital of France?' }] }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { choices?: { message: { content: string } }[] },
  };
}

describe('provider header families reach the provider’s own URL with the right auth', () => {
  it('Azure: resource, deployment and api version → https://{resource}.openai.azure.com, api-key', async () => {
    const result = await chat(
      {
        'x-portkey-provider': 'azure-openai',
        'x-portkey-azure-resource-name': 'my-resource',
        'x-portkey-azure-deployment-id': 'gpt-4o-prod',
        'x-portkey-azure-api-version': '2024-10-21',
        authorization: 'Bearer azure-key-1',
      },
      'gpt-4o',
    );
    expect(result.status).toBe(200);
    expect(result.body.choices?.[0]?.message.content).toBe('Paris.');
    expect(seen.at(-1)).toMatchObject({
      host: 'my-resource.openai.azure.com',
      path: '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
      apiKey: 'azure-key-1',
    });
  });

  it('Vertex: project and region → https://{region}-aiplatform.googleapis.com, bearer token', async () => {
    const result = await chat(
      {
        'x-portkey-provider': 'vertex-ai',
        'x-portkey-vertex-project-id': 'my-project-123',
        'x-portkey-vertex-region': 'us-central1',
        authorization: 'Bearer ya29.token-1',
      },
      'gemini-1.5-pro',
    );
    expect(result.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      host: 'us-central1-aiplatform.googleapis.com',
      path: '/v1/projects/my-project-123/locations/us-central1/publishers/google/models/gemini-1.5-pro:generateContent',
      authorization: 'Bearer ya29.token-1',
    });
  });

  it('Bedrock: access key, secret and region → https://bedrock-runtime.{region}.amazonaws.com, SigV4', async () => {
    const result = await chat(
      {
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-access-key-id': 'AKIDEXAMPLE',
        'x-portkey-aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        'x-portkey-aws-region': 'us-east-1',
      },
      'anthropic.claude-3-haiku-20240307-v1:0',
    );
    expect(result.status).toBe(200);
    expect(seen.at(-1)?.host).toBe('bedrock-runtime.us-east-1.amazonaws.com');
    expect(seen.at(-1)?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(seen.at(-1)?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, /,
    );
  });

  it('a name the test DNS does not know is never resolved for real', async () => {
    const before = seen.length;
    const result = await chat(
      {
        'x-portkey-provider': 'azure-openai',
        'x-portkey-azure-resource-name': 'other-resource',
        'x-portkey-azure-deployment-id': 'd',
        authorization: 'Bearer k',
      },
      'gpt-4o',
    );
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(seen.length).toBe(before);
  });
});
