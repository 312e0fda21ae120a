import { createUndiciTransport, type Transport } from '@pk/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// Stored credentials never go to a host or account the caller chose. For each family (custom host,
// Azure resource name, Vertex region, Bedrock region) a request tries to steer a virtual key: each
// gets 400 and nothing is sent anywhere (the transport records every send).
const sent: string[] = [];
const real = createUndiciTransport();
const recording: Transport = {
  send: (request, options) => {
    sent.push(request.url);
    return real.send(request, options);
  },
  close: () => real.close(),
};
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGatewayApp(
    {
      virtual_keys: {
        'openai-prod': { provider: 'openai', api_key: 'sk-stored-openai' },
        'azure-prod': {
          provider: 'azure-openai',
          api_key: 'azure-stored',
          options: { deployment_id: 'gpt-4o', api_version: '2024-10-21' },
        },
        'vertex-prod': { provider: 'vertex-ai', api_key: 'ya29.stored-token' },
        'bedrock-prod': {
          provider: 'bedrock',
          options: { aws_access_key_id: 'AKIDSTORED', aws_secret_access_key: 'stored-secret' },
        },
      },
    },
    {},
    { transport: recording },
  );
});
afterAll(async () => {
  await gateway.close();
});

async function attempt(headers: Record<string, string>, model = 'gpt-4o-mini') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code?: string; message?: string } },
  };
}

describe('stored credentials stay where the operator put them', () => {
  it.each([
    [
      'custom host',
      { 'x-portkey-virtual-key': 'openai-prod', 'x-portkey-custom-host': 'https://attacker.example.com/v1' },
      'gpt-4o-mini',
    ],
    [
      'Azure resource name',
      { 'x-portkey-virtual-key': 'azure-prod', 'x-portkey-azure-resource-name': 'attacker-resource' },
      'gpt-4o',
    ],
    [
      'Vertex project and region',
      {
        'x-portkey-virtual-key': 'vertex-prod',
        'x-portkey-vertex-project-id': 'attacker-project',
        'x-portkey-vertex-region': 'us-east1',
      },
      'gemini-1.5-pro',
    ],
    [
      'Bedrock region',
      { 'x-portkey-virtual-key': 'bedrock-prod', 'x-portkey-aws-region': 'eu-west-1' },
      'anthropic.claude-3-haiku-20240307-v1:0',
    ],
  ])('%s from the request: 400, nothing sent', async (_family, headers, model) => {
    const before = sent.length;
    const result = await attempt(headers, model);
    expect(result.status).toBe(400);
    expect(sent.length).toBe(before);
    expect(JSON.stringify(result.body)).not.toMatch(/stored|ya29|AKIDSTORED/);
  });
});
