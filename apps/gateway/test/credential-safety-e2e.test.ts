import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { anthropicMessage } from './support/provider-answers.js';
import {
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// Credentials through the built gateway, driven by the official SDKs against providers reached by
// their real host names (the mock's CONNECT proxy): a provider's error that quotes a credential
// reaches neither the client nor the request's log record nor the server log; a gateway key put in
// any credential field is refused before anything is sent; and Claude on Vertex and Bedrock gets the
// cloud's own anthropic_version whatever Anthropic version the client asked for.
const USER_KEY = 'pk-credsafety-user-0001';
const ADMIN_KEY = 'pk-credsafety-admin-0001';
const SESSION_TOKEN = 'FwoGZXIvYXdzSESSIONTOKEN-credsafety//xyz=';
const TYPO_SECRET = 'wrong-secret-credsafety-typo';
const ANTHROPIC_KEY = 'sk-ant-credsafety-provider-key';
const VERTEX_TOKEN = 'ya29.credsafety-access-token';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+credsafetyKEY';
const BEDROCK_CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
const VERTEX_CLAUDE = 'claude-sonnet-4@20250514';
const SIGNATURE_ERROR_TYPE =
  'InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/';
const EXPLANATION =
  'The request signature we calculated does not match the signature you provided. Check your AWS ' +
  'Secret Access Key and signing method. Consult the service documentation for details.';

let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

/** AWS's answer to a bad signature: the explanation, then the canonical request it computed, token and all. */
function invalidSignature(request: ReceivedRequest) {
  const token = String(request.headers['x-amz-security-token'] ?? '');
  return {
    status: 403,
    headers: { 'x-amzn-errortype': SIGNATURE_ERROR_TYPE, 'x-amzn-requestid': 'req-credsafety' },
    json: {
      message:
        `${EXPLANATION}\n\nThe Canonical String for this request should have been\n'POST\n${request.path}\n\n` +
        `content-type:application/json\nhost:${request.host}\nx-amz-date:${String(request.headers['x-amz-date'])}\n` +
        `x-amz-security-token:${token}\n\ncontent-type;host;x-amz-date;x-amz-security-token\n` +
        `e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\nThe String-to-Sign should have been\n` +
        `'AWS4-HMAC-SHA256\n${String(request.headers['x-amz-date'])}\n20250101/us-east-1/bedrock/aws4_request\n` +
        `8dfb04e6992727694587fb8d3258dc23f4814d7c7d46fa8a7f711a53f260ca77'\n`,
    },
  };
}

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'credsafety-user', key: USER_KEY },
        { id: 'credsafety-admin', key: ADMIN_KEY, role: 'admin' },
      ],
      virtual_keys: {
        'bedrock-typo': {
          provider: 'bedrock',
          options: {
            aws_access_key_id: 'AKIDCREDSAFETY',
            aws_secret_access_key: TYPO_SECRET,
            aws_session_token: SESSION_TOKEN,
            aws_region: 'us-east-1',
          },
        },
      },
    },
    env: { PK_LOG_BODIES: 'true', PK_DATA_DIR: dataDir.path },
  });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

/** The stored record of the request with this trace id, once written. */
async function recordOf(traceId: string): Promise<string> {
  const until = Date.now() + 8000;
  for (;;) {
    const response = await fetch(`${gateway.base}/logs?trace_id=${encodeURIComponent(traceId)}`, {
      headers: { 'x-portkey-api-key': ADMIN_KEY },
    });
    const [found] = ((await response.json()) as { data?: { id: string }[] }).data ?? [];
    if (found !== undefined) {
      const detail = await fetch(`${gateway.base}/logs/${found.id}`, {
        headers: { 'x-portkey-api-key': ADMIN_KEY },
      });
      return detail.text();
    }
    if (Date.now() > until) throw new Error(`no record of trace ${traceId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What an SDK call failed with: status, the error body's inner `error`, and everything the client saw. */
async function failureOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (caught) {
    const error = caught as { status?: number; error?: { error?: unknown }; message?: string };
    return {
      status: error.status,
      error: error.error?.error ?? error.error,
      seen: JSON.stringify([error.message, error.error]),
    };
  }
  throw new Error('expected the call to fail');
}

describe('a provider error never carries the credentials the attempt used', () => {
  it('Bedrock’s InvalidSignatureException: its explanation reaches the openai SDK, its canonical request (session token) nowhere', async () => {
    mock.script(BEDROCK_CLAUDE, (request) => invalidSignature(request));
    const traceId = `credsafety-sig-${Date.now()}`;
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': USER_KEY,
        'x-portkey-virtual-key': 'bedrock-typo',
        'x-portkey-trace-id': traceId,
      },
    });
    const failure = await failureOf(
      openai.chat.completions.create({ model: BEDROCK_CLAUDE, messages: [{ role: 'user', content: 'hi' }] }),
    );
    // The attempt did use the session token: the mock got it and quoted it back.
    expect(mock.forModel(BEDROCK_CLAUDE).at(-1)?.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
    expect(failure.status).toBe(403);
    expect(failure.error).toMatchObject({ message: EXPLANATION, type: 'InvalidSignatureException' });
    expect(failure.seen).not.toContain(SESSION_TOKEN);
    const record = await recordOf(traceId);
    expect(record).toContain('InvalidSignatureException');
    expect(record).not.toContain(SESSION_TOKEN);
    expect(record).not.toContain('Canonical String');
    expect(gateway.process.output()).not.toContain(SESSION_TOKEN);
  });

  it('any other message quoting the token (portkey-ai) or the key (the Anthropic SDK on /v1/messages) gets [redacted]', async () => {
    mock.script('anthropic.claude-3-5-haiku-20241022-v1:0', (request) => ({
      status: 403,
      headers: {
        'x-amzn-errortype':
          'ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      },
      json: { message: `The security token ${String(request.headers['x-amz-security-token'])} is expired` },
    }));
    const traceId = `credsafety-expired-${Date.now()}`;
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      virtualKey: 'bedrock-typo',
      traceID: traceId,
      maxRetries: 0,
    });
    const expired = await failureOf(
      portkey.chat.completions.create({
        model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(expired.status).toBe(403);
    expect(expired.error).toMatchObject({ message: 'The security token [redacted] is expired' });
    expect(await recordOf(traceId)).not.toContain(SESSION_TOKEN);

    mock.script('claude-credsafety-echo', (request) => ({
      status: 401,
      json: {
        type: 'error',
        error: {
          type: 'authentication_error',
          message: `invalid x-api-key: ${String(request.headers['x-api-key'])}`,
        },
      },
    }));
    const messagesTrace = `credsafety-messages-${Date.now()}`;
    const anthropic = new Anthropic({
      baseURL: gateway.url,
      apiKey: ANTHROPIC_KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': USER_KEY, 'x-portkey-trace-id': messagesTrace },
    });
    const invalid = await failureOf(
      anthropic.messages.create({
        model: 'claude-credsafety-echo',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(mock.forModel('claude-credsafety-echo').at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(invalid.status).toBe(401);
    expect(invalid.error).toMatchObject({
      type: 'authentication_error',
      message: 'invalid x-api-key: [redacted]',
    });
    expect(invalid.seen).not.toContain(ANTHROPIC_KEY);
    expect(await recordOf(messagesTrace)).not.toContain(ANTHROPIC_KEY);
    expect(gateway.process.output()).not.toContain(SESSION_TOKEN);
    expect(gateway.process.output()).not.toContain(ANTHROPIC_KEY);
  });
});

describe('a gateway key in a credential field is refused, and nothing is sent', () => {
  it('an inline config’s api_key (portkey-ai), x-portkey-azure-ad-token and x-portkey-aws-session-token (openai SDK)', async () => {
    const before = mock.received.length;
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      config: { provider: 'openai', api_key: ADMIN_KEY },
      maxRetries: 0,
    });
    const inConfig = await failureOf(
      portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(inConfig.status).toBe(400);
    expect(inConfig.error).toMatchObject({ code: 'PK_ERR_INVALID_CONFIG', param: 'x-portkey-config' });
    expect(inConfig.error).toMatchObject({ message: expect.stringMatching(/^config\.api_key: /) });
    expect(inConfig.seen).not.toContain(ADMIN_KEY);

    const headerCases: [Record<string, string>, string][] = [
      [
        {
          'x-portkey-provider': 'azure-openai',
          'x-portkey-azure-resource-name': 'my-resource',
          'x-portkey-azure-deployment-id': 'gpt-4o',
          'x-portkey-azure-api-version': '2024-10-21',
          'x-portkey-azure-ad-token': ADMIN_KEY,
        },
        'x-portkey-azure-ad-token',
      ],
      [
        {
          'x-portkey-provider': 'bedrock',
          'x-portkey-aws-access-key-id': 'AKIDCREDSAFETY',
          'x-portkey-aws-secret-access-key': AWS_SECRET,
          'x-portkey-aws-session-token': USER_KEY,
          'x-portkey-aws-region': 'us-east-1',
        },
        'x-portkey-aws-session-token',
      ],
    ];
    for (const [headers, header] of headerCases) {
      const openai = new OpenAI({
        baseURL: gateway.base,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': USER_KEY, ...headers },
      });
      const failure = await failureOf(
        openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      );
      expect(failure.status).toBe(400);
      expect(failure.error).toMatchObject({
        code: 'PK_ERR_INVALID_CONFIG',
        param: header,
        message: expect.stringMatching(new RegExp(`^${header}: `)),
      });
      expect(failure.seen).not.toContain(ADMIN_KEY);
      expect(failure.seen).not.toContain(USER_KEY);
    }
    expect(mock.received.length).toBe(before);
  });
});

describe('Claude on Vertex AI and Bedrock always gets the cloud’s own anthropic_version', () => {
  const vertexOptions = {
    provider: 'vertex-ai',
    api_key: VERTEX_TOKEN,
    vertex_project_id: 'my-project-123',
    vertex_region: 'us-central1',
  };
  const bedrockOptions = {
    provider: 'bedrock',
    aws_access_key_id: 'AKIDCREDSAFETY',
    aws_secret_access_key: AWS_SECRET,
    aws_region: 'us-east-1',
  };

  it('chat through portkey-ai with anthropicVersion 2023-06-01: Vertex gets vertex-2023-10-16', async () => {
    mock.script(VERTEX_CLAUDE, () => ({ json: anthropicMessage(VERTEX_CLAUDE) }));
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: USER_KEY,
      provider: 'vertex-ai',
      Authorization: `Bearer ${VERTEX_TOKEN}`,
      vertexProjectId: 'my-project-123',
      vertexRegion: 'us-central1',
      anthropicVersion: '2023-06-01',
      maxRetries: 0,
    });
    const answer = await portkey.chat.completions.create({
      model: VERTEX_CLAUDE,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.choices?.[0]?.message?.content).toEqual(expect.any(String));
    const sent = mock.forModel(VERTEX_CLAUDE).at(-1);
    expect(sent?.path).toMatch(/\/publishers\/anthropic\/models\/claude-sonnet-4@20250514:rawPredict$/);
    expect(sent?.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16' });
  });

  it('/v1/messages (Anthropic SDK): a fallback chain Anthropic → Vertex → Bedrock with anthropic_version 2023-06-01 on each target', async () => {
    const failing = 'claude-credsafety-down';
    mock.script(failing, () => ({
      status: 529,
      json: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    }));
    mock.script(VERTEX_CLAUDE, () => ({
      status: 503,
      json: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
    }));
    mock.script(BEDROCK_CLAUDE, () => ({ json: anthropicMessage(BEDROCK_CLAUDE) }));
    const received = mock.received.length;
    const anthropic = new Anthropic({
      baseURL: gateway.url,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': USER_KEY,
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [
            { provider: 'anthropic', api_key: ANTHROPIC_KEY, override_params: { model: failing } },
            { ...vertexOptions, override_params: { model: VERTEX_CLAUDE } },
            { ...bedrockOptions, override_params: { model: BEDROCK_CLAUDE } },
          ].map((target) => ({ ...target, anthropic_version: '2023-06-01' })),
        }),
      },
    });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.type).toBe('message');
    const [toAnthropic, toVertex, toBedrock] = mock.received.slice(received);
    expect(toAnthropic?.headers['anthropic-version']).toBe('2023-06-01');
    expect(toVertex?.path).toMatch(/claude-sonnet-4@20250514:rawPredict$/);
    expect(toVertex?.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16' });
    expect(toBedrock?.path).toBe(`/model/${encodeURIComponent(BEDROCK_CLAUDE)}/invoke`);
    expect(toBedrock?.body).toMatchObject({ anthropic_version: 'bedrock-2023-05-31' });
  });
});
