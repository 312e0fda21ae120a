import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// What a refusal before routing tells the client, through the openai SDK against the gateway on a real
// port: a body of the wrong type names the type the route takes (415), and a path pk does not serve is
// named in its 501 or 404 within bounds, never with its query string. Nothing reaches the upstream.
let upstream: MockOpenAI;
let gateway: RunningGateway;
let client: OpenAI;
const GATEWAY_KEY = 'pk-refusal-messages-key';
const ADMIN_KEY = 'pk-refusal-messages-admin';
/** A credential a client put in a query string: no answer may repeat it. */
const QUERY_SECRET = 'sk-query-secret-9d2e71';

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  gateway = await startGatewayApp({
    gateway_keys: [
      { id: 'team', key: GATEWAY_KEY },
      { id: 'admin', key: ADMIN_KEY, role: 'admin' },
    ],
    virtual_keys: {
      mock: { provider: 'openai', api_key: 'sk-mock', options: { custom_host: `${upstream.url}/v1` } },
    },
  });
  client = new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'mock' },
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function refusal(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('a body of the wrong content type', () => {
  it('JSON sent as text/plain to chat completions is a 415 that names application/json', async () => {
    const before = upstream.received.length;
    const error = await refusal(
      client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'content-type': 'text/plain' } },
      ),
    );
    expect(error.status).toBe(415);
    expect(error.error).toMatchObject({
      code: 'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
      type: 'invalid_request_error',
    });
    expect(error.message).toContain('text/plain');
    expect(error.message).toContain('application/json');
    expect(upstream.received.length).toBe(before);
  });

  it('text/plain to a pass-through route is a 415 that names the types it takes', async () => {
    const error = await refusal(
      client.post('/audio/transcriptions', {
        body: 'not audio',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      }),
    );
    expect(error.status).toBe(415);
    expect(error.error).toMatchObject({ code: 'PK_ERR_UNSUPPORTED_MEDIA_TYPE' });
    expect(error.message).toContain('text/plain');
    expect(error.message).toContain('multipart/form-data');
    expect(error.message).not.toContain('charset');
  });
});

describe('an empty body labelled text/plain', () => {
  it('on a DELETE is no body, as before: the route answers', async () => {
    const admin = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': ADMIN_KEY },
    });
    // The route's own answer (this gateway serves no MCP servers), not a 415 for the label.
    const error = await refusal(
      admin.delete('/mcp-servers/x', { headers: { 'content-type': 'text/plain' } }),
    );
    expect(error.status).toBe(501);
    expect(error.error).toMatchObject({ code: 'PK_ERR_NOT_IMPLEMENTED' });
  });
});

describe('a long path pk does not serve', () => {
  const long = `${'segment-'.repeat(600)}end`;

  it('the 501 of a control-plane path names its start, its length, and no query string', async () => {
    const error = await refusal(client.get(`/mcp-servers/${long}`, { query: { api_key: QUERY_SECRET } }));
    expect(error.status).toBe(501);
    expect(error.error).toMatchObject({ code: 'PK_ERR_NOT_IMPLEMENTED' });
    expect(error.message).toContain('/v1/mcp-servers/segment-segment-');
    expect(error.message).toContain(`(${`/v1/mcp-servers/${long}`.length} characters)`);
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).not.toContain(QUERY_SECRET);
    expect(error.message).not.toContain('end');
  });

  it('the 404 of an unknown route is bounded the same way', async () => {
    const error = await refusal(
      client.get(`${gateway.url}/unknown/${long}`, { query: { api_key: QUERY_SECRET } }),
    );
    expect(error.status).toBe(404);
    expect(error.error).toMatchObject({ code: 'PK_ERR_NOT_FOUND' });
    expect(error.message).toContain('no route GET /unknown/segment-');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).not.toContain(QUERY_SECRET);
  });

  it('nothing reached the provider', () => {
    expect(upstream.received).toEqual([]);
  });

  it('a short path is named whole', async () => {
    const error = await refusal(client.get('/mcp-servers/abc', { query: { api_key: QUERY_SECRET } }));
    expect(error.message).toBe(
      "501 /v1/mcp-servers/abc is part of Portkey's control plane, which pk does not implement",
    );
  });
});
