import { generateKeyPairSync } from 'node:crypto';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  portkeyHeadersOf,
  postJson,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: each provider family's headers (seed headers document: Azure, Vertex, Bedrock; the
// provider's own auth headers), reaching the provider's real host name (through the mock's CONNECT
// proxy, never the network) with the provider's own URL and auth, answered in OpenAI's format.
const GATEWAY_KEY = 'pk-features-families';
const AZURE_KEY = 'azure-features-key';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ANTHROPIC_KEY = 'sk-ant-features-families';
const VENDOR_KEY = 'together-features-families';
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: { gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }] },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  for (const secret of [AZURE_KEY, AWS_SECRET, ANTHROPIC_KEY, VENDOR_KEY, 'PRIVATE KEY']) {
    expect(gateway.process.output()).not.toContain(secret);
  }
});

const chat = (headers: Record<string, string>, model: string, extra: Record<string, unknown> = {}) =>
  postJson(
    `${gateway.base}/chat/completions`,
    { model, messages, ...extra },
    { 'x-portkey-api-key': GATEWAY_KEY, ...headers },
  );
const contentOf = (json: Record<string, unknown>) =>
  (json.choices as { message: Record<string, unknown> }[] | undefined)?.[0]?.message;

describe('Azure OpenAI', () => {
  it('resource, deployment, api version (headers) → https://{resource}.openai.azure.com, api-key', async () => {
    const response = await chat(
      {
        'x-portkey-provider': 'azure-openai',
        'x-portkey-azure-resource-name': 'my-resource',
        'x-portkey-azure-deployment-id': 'gpt-4o-prod',
        'x-portkey-azure-api-version': '2024-10-21',
        authorization: `Bearer ${AZURE_KEY}`,
      },
      'gpt-4o',
    );
    expect(response.status).toBe(200);
    expect(contentOf(response.json)?.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)).toMatchObject({
      host: 'my-resource.openai.azure.com',
      path: '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
      headers: { 'api-key': AZURE_KEY },
    });
    expect(mock.received.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('the same through the portkey-ai SDK’s Azure options', async () => {
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      provider: 'azure-openai',
      azureResourceName: 'my-resource',
      azureDeploymentId: 'gpt-4o-sdk',
      azureApiVersion: '2024-10-21',
      Authorization: `Bearer ${AZURE_KEY}`,
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(portkeyHeadersOf(completion).provider).toBe('azure-openai');
    expect(mock.received.at(-1)?.path).toBe(
      '/openai/deployments/gpt-4o-sdk/chat/completions?api-version=2024-10-21',
    );
  });
});

describe('Vertex AI', () => {
  it('project and region (headers) → https://{region}-aiplatform.googleapis.com, bearer token', async () => {
    const response = await chat(
      {
        'x-portkey-provider': 'vertex-ai',
        'x-portkey-vertex-project-id': 'my-project-123',
        'x-portkey-vertex-region': 'us-central1',
        authorization: 'Bearer ya29.caller-token',
      },
      'gemini-1.5-pro',
    );
    expect(response.status).toBe(200);
    expect(contentOf(response.json)?.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)).toMatchObject({
      host: 'us-central1-aiplatform.googleapis.com',
      path: '/v1/projects/my-project-123/locations/us-central1/publishers/google/models/gemini-1.5-pro:generateContent',
      headers: { authorization: 'Bearer ya29.caller-token' },
    });
  });

  it.each([
    ['europe-west12', 'europe-west12-aiplatform.googleapis.com'],
    ['us', 'aiplatform.us.rep.googleapis.com'],
    ['eu', 'aiplatform.eu.rep.googleapis.com'],
  ])('[cloudauth 3] region %s → https://%s', async (region, host) => {
    const response = await chat(
      {
        'x-portkey-provider': 'vertex-ai',
        'x-portkey-vertex-project-id': 'my-project-123',
        'x-portkey-vertex-region': region,
        authorization: 'Bearer ya29.caller-token',
      },
      'gemini-2.5-flash',
    );
    expect(response.status).toBe(200);
    expect(contentOf(response.json)?.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)).toMatchObject({
      host,
      path: `/v1/projects/my-project-123/locations/${region}/publishers/google/models/gemini-2.5-flash:generateContent`,
    });
  });

  describe('a service account key', () => {
    const account = (email: string, privateKey: string) =>
      JSON.stringify({
        type: 'service_account',
        project_id: 'my-project-123',
        private_key_id: 'key-1',
        private_key: privateKey,
        client_email: email,
        token_uri: 'https://oauth2.googleapis.com/token',
      });
    const email = 'pk-features@my-project-123.iam.gserviceaccount.com';
    let goodKey = '';
    let bogusKey = '';
    beforeAll(() => {
      const good = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const bogus = generateKeyPairSync('rsa', { modulusLength: 2048 });
      mock.serviceAccounts.set(email, good.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      goodKey = good.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      bogusKey = bogus.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    });
    const vertexHeaders = (privateKey: string) => ({
      'x-portkey-provider': 'vertex-ai',
      'x-portkey-vertex-project-id': 'my-project-123',
      'x-portkey-vertex-region': 'us-central1',
      'x-portkey-vertex-service-account-json': account(email, privateKey),
    });

    it('[defect 6] the token is exchanged once and reused by later and concurrent requests', async () => {
      mock.tokenDelayMs = 200;
      const before = mock.tokenExchanges.length;
      const first = await chat(vertexHeaders(goodKey), 'gemini-1.5-pro');
      expect(first.status).toBe(200);
      const concurrent = await Promise.all(
        Array.from({ length: 5 }, () => chat(vertexHeaders(goodKey), 'gemini-1.5-pro')),
      );
      expect(concurrent.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const exchanges = mock.tokenExchanges.slice(before);
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]).toMatchObject({ email, ok: true });
      const calls = mock.received.filter((request) => request.path.endsWith(':generateContent')).slice(-6);
      for (const call of calls) expect(call.headers.authorization).toBe(`Bearer ${exchanges[0]?.token}`);
    });

    it('[defect 6] concurrent first requests share one exchange', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const otherEmail = 'pk-features-2@my-project-123.iam.gserviceaccount.com';
      mock.serviceAccounts.set(
        otherEmail,
        other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
      const privateKey = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      mock.tokenDelayMs = 300;
      const before = mock.tokenExchanges.length;
      const responses = await Promise.all(
        Array.from({ length: 4 }, () =>
          chat(
            {
              ...vertexHeaders(privateKey),
              'x-portkey-vertex-service-account-json': account(otherEmail, privateKey),
            },
            'gemini-1.5-pro',
          ),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      expect(mock.tokenExchanges.slice(before)).toHaveLength(1);
    });

    it('[cloudauth 1] a private key that is no usable PEM is a 400 naming the field: never retried, nothing sent, the key never shown', async () => {
      const exchanges = mock.tokenExchanges.length;
      const calls = mock.received.length;
      const cutShort =
        '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
      const started = Date.now();
      const response = await chat(
        {
          'x-portkey-config': JSON.stringify({
            provider: 'vertex-ai',
            retry: { attempts: 3 },
            vertex_project_id: 'my-project-123',
            vertex_region: 'us-central1',
            vertex_service_account_json: JSON.parse(account(email, cutShort)),
          }),
        },
        'gemini-1.5-pro',
      );
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({
        code: 'PK_ERR_INVALID_CONFIG',
        param: 'vertex_service_account_json',
        message: expect.stringContaining('private_key is not a usable PEM private key'),
      });
      expect(response.text).not.toContain('MIIE');
      expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('0');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(mock.tokenExchanges.length).toBe(exchanges);
      expect(mock.received.length).toBe(calls);
    });

    it('[cloudauth 1] a private key pasted with literal \\n sequences (an environment variable’s form) is read as the key', async () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const envEmail = 'pk-features-env@my-project-123.iam.gserviceaccount.com';
      mock.serviceAccounts.set(envEmail, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const escaped = pem.replace(/\n/g, '\\n');
      expect(escaped).not.toContain('\n');
      const before = mock.tokenExchanges.length;
      const response = await chat(
        { ...vertexHeaders(pem), 'x-portkey-vertex-service-account-json': account(envEmail, escaped) },
        'gemini-1.5-pro',
      );
      expect(response.status).toBe(200);
      // The mock verified the assertion with the account's public key before it gave a token.
      expect(mock.tokenExchanges.slice(before)).toEqual([
        { email: envEmail, ok: true, token: expect.stringMatching(/^ya29\./) },
      ]);
      // Both spellings of one key share its token.
      const again = await chat(
        { ...vertexHeaders(pem), 'x-portkey-vertex-service-account-json': account(envEmail, pem) },
        'gemini-1.5-pro',
      );
      expect(again.status).toBe(200);
      expect(mock.tokenExchanges.length).toBe(before + 1);
    });

    it('[cloudauth 2] a token Vertex answers 401 to is exchanged afresh once, even for concurrent requests, and each request answered', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const otherEmail = 'pk-features-3@my-project-123.iam.gserviceaccount.com';
      mock.serviceAccounts.set(
        otherEmail,
        other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
      const privateKey = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const headers = {
        ...vertexHeaders(privateKey),
        'x-portkey-vertex-service-account-json': account(otherEmail, privateKey),
      };
      const client = new OpenAI({
        baseURL: gateway.base,
        apiKey: GATEWAY_KEY,
        defaultHeaders: headers,
        maxRetries: 0,
      });
      const ask = () => client.chat.completions.create({ model: 'gemini-1.5-pro', messages });
      expect((await ask()).choices[0]?.message.content).toBe(MOCK_ANSWER);
      const first = mock.tokenExchanges.at(-1)?.token ?? '';
      expect(first).not.toBe('');
      mock.revokedTokens.add(first);
      const exchanges = mock.tokenExchanges.length;
      const calls = mock.received.length;
      mock.tokenDelayMs = 200;
      const answers = await Promise.all([ask(), ask(), ask()]).finally(() => {
        mock.tokenDelayMs = 0;
      });
      expect(answers.map((answer) => answer.choices[0]?.message.content)).toEqual([
        MOCK_ANSWER,
        MOCK_ANSWER,
        MOCK_ANSWER,
      ]);
      const fresh = mock.tokenExchanges.slice(exchanges);
      expect(fresh).toEqual([{ email: otherEmail, ok: true, token: expect.any(String) }]);
      const sent = mock.received
        .slice(calls)
        .filter((request) => request.path.endsWith(':generateContent'))
        .map((request) => request.headers.authorization);
      expect(sent.filter((bearer) => bearer === `Bearer ${first}`)).toHaveLength(3);
      expect(sent.filter((bearer) => bearer === `Bearer ${fresh[0]?.token}`)).toHaveLength(3);
      // Later requests carry the new token at once.
      await ask();
      expect(mock.tokenExchanges.length).toBe(exchanges + 1);
      expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${fresh[0]?.token}`);
    });

    it('[cloudauth 5] a config may give the key file as its JSON text (as the admin API keeps it), through the portkey-ai SDK', async () => {
      const client = new Portkey({
        baseURL: gateway.base,
        apiKey: GATEWAY_KEY,
        config: {
          provider: 'vertex-ai',
          vertex_project_id: 'my-project-123',
          vertex_region: 'us-central1',
          vertex_service_account_json: account(email, goodKey),
        },
      });
      const completion = await client.chat.completions.create({ model: 'gemini-1.5-pro', messages });
      expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
      expect(mock.received.at(-1)?.host).toBe('us-central1-aiplatform.googleapis.com');
      expect(mock.received.at(-1)?.headers.authorization).toMatch(/^Bearer ya29\.mock-token-/);
    });

    it('[cloudauth 4] a config whose key file is neither an object nor its JSON text is a 400 that never shows it', async () => {
      const pem = goodKey;
      const response = await chat(
        {
          'x-portkey-config': JSON.stringify({
            provider: 'vertex-ai',
            vertex_project_id: 'my-project-123',
            vertex_service_account_json: pem,
          }),
        },
        'gemini-1.5-pro',
      );
      expect(response.status).toBe(400);
      expect(response.json.error).toMatchObject({ code: 'PK_ERR_INVALID_CONFIG' });
      expect(String((response.json.error as { message?: string }).message)).toContain(
        'config.vertex_service_account_json: expected an object (the service-account key file) or its JSON text, got a string of',
      );
      const body = pem.split('\n')[1] ?? 'unreachable';
      expect(response.text).not.toContain('PRIVATE KEY');
      expect(response.text).not.toContain(body.slice(0, 20));
      expect(gateway.process.output()).not.toContain(body.slice(0, 20));
    });

    it('a key with the same email but another private key never gets the cached token', async () => {
      mock.tokenDelayMs = 0;
      const before = mock.tokenExchanges.length;
      const callsBefore = mock.received.filter((request) => request.path.endsWith(':generateContent')).length;
      const response = await chat(vertexHeaders(bogusKey), 'gemini-1.5-pro');
      expect(response.status).toBe(401);
      expect(mock.tokenExchanges.slice(before)).toEqual([{ email, ok: false }]);
      expect(mock.received.filter((request) => request.path.endsWith(':generateContent'))).toHaveLength(
        callsBefore,
      );
    });
  });
});

describe('AWS Bedrock', () => {
  it('access key, secret and region (headers) → https://bedrock-runtime.{region}.amazonaws.com, SigV4', async () => {
    const response = await chat(
      {
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-access-key-id': 'AKIDEXAMPLE',
        'x-portkey-aws-secret-access-key': AWS_SECRET,
        'x-portkey-aws-region': 'us-east-1',
      },
      'anthropic.claude-3-haiku-20240307-v1:0',
    );
    expect(response.status).toBe(200);
    expect(contentOf(response.json)?.content).toBe(MOCK_ANSWER);
    const upstream = mock.received.at(-1);
    expect(upstream?.host).toBe('bedrock-runtime.us-east-1.amazonaws.com');
    expect(upstream?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(upstream?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, /,
    );
    expect(upstream?.body).toMatchObject({
      messages: [{ role: 'user', content: [{ text: messages[0]?.content }] }],
    });
  });
});

describe('Anthropic', () => {
  it('x-api-key reaches https://api.anthropic.com/v1/messages as Anthropic’s own auth; the answer is OpenAI’s shape', async () => {
    const response = await chat(
      { 'x-portkey-provider': 'anthropic', 'x-api-key': ANTHROPIC_KEY },
      'claude-sonnet-4',
      { max_tokens: 256 },
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ object: 'chat.completion', choices: [{ finish_reason: 'stop' }] });
    expect(contentOf(response.json)?.reasoning_content).toBeUndefined();
    expect(mock.received.at(-1)).toMatchObject({
      host: 'api.anthropic.com',
      path: '/v1/messages',
      headers: { 'x-api-key': ANTHROPIC_KEY },
      body: { model: 'claude-sonnet-4', max_tokens: 256 },
    });
    expect(mock.received.at(-1)?.headers['anthropic-version']).toBeDefined();
  });

  it('a streamed tool_use without input reaches the openai SDK with the arguments {}, as OpenAI’s', async () => {
    const event = (data: Record<string, unknown>) => ({
      event: String(data.type),
      data: JSON.stringify(data),
    });
    mock.script('claude-no-input-tool', [
      {
        sse: [
          event({
            type: 'message_start',
            message: {
              id: 'msg_01GdUVJ8bCCkuZz6q9tmVJbM',
              type: 'message',
              role: 'assistant',
              model: 'claude-no-input-tool',
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 380, output_tokens: 2 },
            },
          }),
          event({
            type: 'content_block_start',
            index: 0,
            content_block: {
              type: 'tool_use',
              id: 'toolu_01Xp2HbXyGq5xV3b9kYtR7mN',
              name: 'get_time',
              input: {},
            },
          }),
          event({
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'input_json_delta', partial_json: '' },
          }),
          event({ type: 'content_block_stop', index: 0 }),
          event({
            type: 'message_delta',
            delta: { stop_reason: 'tool_use', stop_sequence: null },
            usage: { output_tokens: 31 },
          }),
          event({ type: 'message_stop' }),
        ],
      },
    ]);
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        config: { provider: 'anthropic', api_key: ANTHROPIC_KEY },
      }),
    });
    const completion = await client.chat.completions
      .stream({
        model: 'claude-no-input-tool',
        max_tokens: 64,
        tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } }],
        messages,
      })
      .finalChatCompletion();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toMatchObject([
      { id: 'toolu_01Xp2HbXyGq5xV3b9kYtR7mN', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('[defect 5] strict_open_ai_compliance: false in a config gives the provider’s extras (reasoning)', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        config: { provider: 'anthropic', api_key: ANTHROPIC_KEY, strict_open_ai_compliance: false },
      }),
    });
    const completion = await client.chat.completions.create({ model: 'claude-sonnet-4', messages });
    const message = completion.choices[0]?.message as unknown as Record<string, unknown>;
    expect(message.content).toBe(MOCK_ANSWER);
    expect(message.reasoning_content).toBe('France’s capital is Paris.');
    expect(mock.received.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
  });
});

describe('OpenAI-compatible vendors (the answer the client gets)', () => {
  const client = (provider: string) =>
    new OpenAI({
      baseURL: gateway.base,
      apiKey: VENDOR_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, provider, customHost: `${mock.url}/v1` }),
    });
  // Shaped like the vendors' documented answers (packages/providers/src/openai-compatible/__fixtures__).
  const together = (model: string) => ({
    id: '8b61924aa9de82dc-ARN',
    object: 'chat.completion',
    created: 1724148395,
    model,
    prompt: [],
    choices: [
      {
        finish_reason: 'eos',
        seed: 1273641686262356000,
        logprobs: null,
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help?', tool_calls: [] },
      },
    ],
    usage: { prompt_tokens: 33, completion_tokens: 14, total_tokens: 47 },
  });

  it('a vendor finish reason is mapped (Together’s eos → stop), vendor fields kept', async () => {
    const model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
    mock.script(model, [{ json: together(model) }]);
    const completion = await client('together-ai').chat.completions.create({ model, messages });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toBe('Hello! How can I help?');
    expect((completion as unknown as { prompt: unknown }).prompt).toEqual([]);
    expect(completion.usage).toEqual({ prompt_tokens: 33, completion_tokens: 14, total_tokens: 47 });
    expect(mock.received.at(-1)).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${VENDOR_KEY}` },
      body: { model, messages },
    });
  });

  it('missing object/created/content and tool_calls: null are repaired (GLM-, AI21- and Mistral-style answers)', async () => {
    const model = 'glm-4.5';
    mock.script(model, [
      {
        json: {
          id: 'b3a4e5f2-2c41-4d1c-9b3a-08c2f6c1d7aa',
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', tool_calls: null },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 },
        },
      },
    ]);
    const response = await client('mistral-ai').chat.completions.create({ model, messages }).asResponse();
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ object: 'chat.completion', model, created: expect.any(Number) });
    const message = (answer.choices as { message: Record<string, unknown> }[])[0]?.message;
    expect(message).toEqual({ role: 'assistant', content: null });
  });

  it('a cached repaired answer is served repaired (simple cache: MISS, then HIT without an upstream call)', async () => {
    const model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-cached';
    mock.script(model, [{ json: together(model) }]);
    const cached = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        config: {
          provider: 'together-ai',
          api_key: VENDOR_KEY,
          custom_host: `${mock.url}/v1`,
          cache: { mode: 'simple' },
        },
      }),
    });
    const before = mock.forModel(model).length;
    for (const status of ['MISS', 'HIT']) {
      const { data, response } = await cached.chat.completions.create({ model, messages }).withResponse();
      expect(response.headers.get('x-portkey-cache-status')).toBe(status);
      expect(data.choices[0]?.finish_reason).toBe('stop');
      expect(data.choices[0]?.message.content).toBe('Hello! How can I help?');
    }
    expect(mock.forModel(model).length - before).toBe(1);
  });

  it('an answer that needs no repair goes back as the vendor’s bytes (spacing, number spelling)', async () => {
    const model = 'meta-llama/Llama-3.1-8B-Instruct-Turbo';
    const answer = together(model);
    const stop = { ...answer, choices: [{ ...answer.choices[0], finish_reason: 'stop' }] };
    // Pretty-printed, with a seed spelled as the vendor did (a re-serialised answer would differ).
    const vendorText = JSON.stringify(stop, null, 2).replace('1273641686262356000', '1273641686262355968');
    mock.script(model, [{ json: stop, jsonText: vendorText }]);
    const response = await client('together-ai').chat.completions.create({ model, messages }).asResponse();
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(vendorText);
  });
});
