import OpenAI, { toFile } from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, postJson, startFeatureGateway } from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: the routes of the gateway README ("Routes"), through the built gateway process and
// the openai SDK with createHeaders (the official portkey-ai SDK wraps the same client for these).
const GATEWAY_KEY = 'pk-features-routes';
let mock: ProviderMock;
let gateway: FeatureGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: 'sk-routes', options: { custom_host: `${mock.url}/v1` } },
        'anthropic-a': { provider: 'anthropic', api_key: 'sk-ant-routes' },
      },
    },
  });
  client = new OpenAI({
    baseURL: gateway.base,
    apiKey: GATEWAY_KEY,
    maxRetries: 0,
    defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'openai-a' }),
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});
const last = () => mock.received.at(-1);

describe('translated routes', () => {
  it('POST /v1/embeddings: floats, and base64 (the openai SDK’s default) decoding to the same vector', async () => {
    mock.embeddings.set('hello world', [0.25, -0.5, 0.125, 1]);
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello world',
      encoding_format: 'float',
    });
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    expect(floats.data[0]?.embedding).toEqual([0.25, -0.5, 0.125, 1]);
    expect(decoded.data[0]?.embedding).toEqual([0.25, -0.5, 0.125, 1]);
    expect(last()).toMatchObject({ path: '/v1/embeddings', body: { input: 'hello world' } });
  });

  it('POST /v1/completions (legacy text completions)', async () => {
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Capital?',
    });
    expect(completion.choices[0]?.text).toBe(' Paris.');
    expect(last()).toMatchObject({ path: '/v1/completions', body: { prompt: 'Capital?' } });
  });

  it('routes answer without the /v1 prefix and with a doubled slash, as the SDKs sometimes send them', async () => {
    const headers = { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'openai-a' };
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    expect((await postJson(`${gateway.url}/chat/completions`, body, headers)).status).toBe(200);
    expect((await postJson(`${gateway.url}/v1//chat/completions`, body, headers)).status).toBe(200);
    expect(last()?.path).toBe('/v1/chat/completions');
  });
});

describe('pass-through routes', () => {
  it('POST /v1/images/generations goes to the provider unchanged', async () => {
    await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1024x1024' });
    expect(last()).toMatchObject({
      method: 'POST',
      path: '/v1/images/generations',
      body: { model: 'dall-e-3', prompt: 'a lighthouse', size: '1024x1024' },
    });
  });

  it('POST /v1/audio/transcriptions sends the multipart bytes and boundary as they came', async () => {
    const audio = Buffer.from('RIFF....WAVEfmt fake audio bytes');
    await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'clip.wav') });
    const upstream = last();
    expect(upstream?.path).toBe('/v1/audio/transcriptions');
    expect(String(upstream?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(upstream?.raw.includes(audio)).toBe(true);
    expect(upstream?.raw.toString()).toContain('whisper-1');
  });

  it('an upload names its virtual key in the model (@openai-a/whisper-1), as a JSON body does: the provider gets the bare model and the bytes', async () => {
    const noKeyHeader = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY },
    });
    const audio = Buffer.from([0x52, 0x49, 0x46, 0x46, 0xff, 0xfe, 0x00, 0xc3, 0x28]);
    await noKeyHeader.audio.transcriptions.create({
      model: '@openai-a/whisper-1',
      file: await toFile(audio, 'clip.wav', { type: 'audio/wav' }),
    });
    const upstream = last();
    expect(upstream?.headers.authorization).toBe('Bearer sk-routes');
    const sent = upstream?.raw.toString('latin1') ?? '';
    expect(sent).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);
    expect(sent).not.toContain('@openai-a');
    expect(upstream?.raw.includes(audio)).toBe(true);
    const boundary = /boundary=(\S+)/.exec(String(upstream?.headers['content-type']))?.[1];
    expect(sent.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(Number(upstream?.headers['content-length'])).toBe(upstream?.raw.length);
  });

  it('GET /v1/files keeps its query string', async () => {
    await client.files.list({ purpose: 'batch' });
    expect(last()).toMatchObject({ method: 'GET', path: '/v1/files?purpose=batch' });
  });

  it('one model and stored chat completions pass through without the /v1 prefix too (the openai SDK on a bare base URL)', async () => {
    const bare = new OpenAI({
      baseURL: gateway.url,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'openai-a' }),
    });
    await bare.models.retrieve('gpt-4o-mini');
    expect(last()).toMatchObject({ method: 'GET', path: '/v1/models/gpt-4o-mini' });
    await bare.chat.completions.list({ limit: 5 });
    expect(last()).toMatchObject({ method: 'GET', path: '/v1/chat/completions?limit=5' });
    await bare.chat.completions.retrieve('chatcmpl-stored');
    expect(last()).toMatchObject({ method: 'GET', path: '/v1/chat/completions/chatcmpl-stored' });
    await bare.chat.completions.update('chatcmpl-stored', { metadata: { topic: 'ports' } });
    expect(last()).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions/chatcmpl-stored',
      body: { metadata: { topic: 'ports' } },
    });
    await bare.chat.completions.messages.list('chatcmpl-stored');
    expect(last()).toMatchObject({ method: 'GET', path: '/v1/chat/completions/chatcmpl-stored/messages' });
    await bare.chat.completions.delete('chatcmpl-stored');
    expect(last()).toMatchObject({ method: 'DELETE', path: '/v1/chat/completions/chatcmpl-stored' });
  });

  it('a HEAD goes upstream without a body; a DELETE with its client’s JSON body, one without none', async () => {
    const headers = { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'openai-a' };
    const head = await fetch(`${gateway.base}/files/file-abc`, { method: 'HEAD', headers });
    expect(head.status).toBe(200);
    expect(last()).toMatchObject({ method: 'HEAD', path: '/v1/files/file-abc' });
    expect(last()?.raw.length).toBe(0);
    expect(last()?.headers['content-type']).toBeUndefined();
    const withBody = await fetch(`${gateway.base}/files/file-abc`, {
      method: 'DELETE',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'duplicate' }),
    });
    expect(withBody.status).toBe(200);
    expect(last()).toMatchObject({ method: 'DELETE', body: { reason: 'duplicate' } });
    expect(last()?.headers['content-type']).toBe('application/json');
    await client.files.delete('file-abc');
    expect(last()).toMatchObject({ method: 'DELETE', path: '/v1/files/file-abc' });
    expect(last()?.raw.length).toBe(0);
  });
});

describe('GET /v1/models of a provider without pass-through', () => {
  it('an Anthropic virtual key lists and retrieves Claude models through Anthropic’s Models API, in OpenAI’s shape (the openai SDK’s models.list and retrieve)', async () => {
    // Anthropic's answers, as https://docs.anthropic.com/en/api/models-list documents them.
    const claude = (id: string, name: string) => ({
      type: 'model',
      id,
      display_name: name,
      created_at: '2025-09-29T00:00:00Z',
    });
    mock.script('', (request) =>
      request.path.startsWith('/v1/models?')
        ? {
            json: {
              data: [
                claude('claude-sonnet-4-5', 'Claude Sonnet 4.5'),
                claude('claude-haiku-4-5', 'Claude Haiku 4.5'),
              ],
              has_more: false,
              first_id: 'claude-sonnet-4-5',
              last_id: 'claude-haiku-4-5',
            },
          }
        : undefined,
    );
    mock.script('claude-sonnet-4-5', (request) =>
      request.method === 'GET' ? { json: claude('claude-sonnet-4-5', 'Claude Sonnet 4.5') } : undefined,
    );
    mock.script('claude-nope', () => ({
      status: 404,
      json: { type: 'error', error: { type: 'not_found_error', message: 'model: claude-nope' } },
    }));
    const anthropic = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'anthropic-a' }),
    });
    const listed = [];
    for await (const model of anthropic.models.list()) listed.push(model);
    expect(listed).toEqual([
      {
        id: 'claude-sonnet-4-5',
        object: 'model',
        created: 1759104000,
        owned_by: 'anthropic',
        display_name: 'Claude Sonnet 4.5',
      },
      {
        id: 'claude-haiku-4-5',
        object: 'model',
        created: 1759104000,
        owned_by: 'anthropic',
        display_name: 'Claude Haiku 4.5',
      },
    ]);
    // The whole list in one page (OpenAI's is not paged), with Anthropic's own headers and key.
    expect(last()).toMatchObject({ host: 'api.anthropic.com', method: 'GET', path: '/v1/models?limit=1000' });
    expect(last()?.headers).toMatchObject({
      'x-api-key': 'sk-ant-routes',
      'anthropic-version': '2023-06-01',
    });
    expect(last()?.headers.authorization).toBeUndefined();

    const { data: one, response } = await anthropic.models.retrieve('claude-sonnet-4-5').withResponse();
    expect(one).toEqual(listed[0]);
    expect(response.headers.get('x-portkey-provider')).toBe('anthropic');
    expect(last()).toMatchObject({
      host: 'api.anthropic.com',
      method: 'GET',
      path: '/v1/models/claude-sonnet-4-5',
    });

    const missing = await anthropic.models.retrieve('claude-nope').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).message).toContain('model: claude-nope');
  });

  it('other paths of such a provider are still refused before anything is sent', async () => {
    const before = mock.received.length;
    const anthropic = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, virtualKey: 'anthropic-a' }),
    });
    const refused = await anthropic.moderations.create({ input: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      "provider 'anthropic' does not support the path /moderations",
    );
    expect(mock.received.length).toBe(before);
  });
});

describe('the gateway’s own routes', () => {
  it('GET /health answers ok; the admin API needs an admin key (none yet: 401, pk init); the rest of Portkey’s control plane answers 501; none is sent to a provider', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const before = mock.received.length;
    const configs = await fetch(`${gateway.base}/configs`, { headers: { 'x-portkey-api-key': GATEWAY_KEY } });
    expect(configs.status).toBe(401);
    expect(await configs.json()).toMatchObject({
      error: { code: 'PK_ERR_UNAUTHORIZED', message: expect.stringContaining('`pk init`') },
    });
    // Collections are the admin API's too; MCP servers are not served.
    const collections = await fetch(`${gateway.base}/collections`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': GATEWAY_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(collections.status).toBe(401);
    const mcp = await fetch(`${gateway.base}/mcp-servers`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': GATEWAY_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mcp.status).toBe(501);
    expect(await mcp.json()).toMatchObject({ error: { code: 'PK_ERR_NOT_IMPLEMENTED' } });
    expect(mock.received.length).toBe(before);
  });
});
