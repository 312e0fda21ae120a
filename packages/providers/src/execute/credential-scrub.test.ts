import { generateKeyPairSync } from 'node:crypto';
import { PkError } from '@pk/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../spec/upstream-error.js';
import { type MockUpstream, type RecordedRequest, startMockUpstream } from '../test-support/mock-upstream.js';
import { callProvider, type ProviderAttemptOutcome } from './call-provider.js';
import { attemptCredentials, REDACTED, redactCredentials, scrubFailure } from './credential-scrub.js';
import { createUndiciTransport } from './undici-transport.js';

describe('attemptCredentials', () => {
  it('reads the target’s credential fields and the credential headers sent, longest first, short values left out', () => {
    const credentials = attemptCredentials(
      {
        provider: 'bedrock',
        api_key: 'short',
        aws_access_key_id: 'AKIDEXAMPLE1',
        aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG',
        aws_session_token: 'FwoGZXIvYXdzSESSION//xyz=',
        vertex_service_account_json: {
          private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        },
        aws_region: 'us-east-1',
      },
      { authorization: 'Bearer ya29.exchanged-token', 'content-type': 'application/json' },
    );
    expect(credentials).toEqual([
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      'Bearer ya29.exchanged-token',
      'FwoGZXIvYXdzSESSION//xyz=',
      'wJalrXUtnFEMI/K7MDENG',
      'ya29.exchanged-token',
      'AKIDEXAMPLE1',
    ]);
  });
});

describe('attemptCredentials with forwarded headers', () => {
  it('takes the value of every header the client forwarded, whatever its name', () => {
    const credentials = attemptCredentials(
      { provider: 'openai', api_key: 'sk-provider-key-1' },
      { authorization: 'Bearer sk-provider-key-1' },
      {
        'x-api-token': 'custom-host-token-0123',
        'cf-access-client-secret': 'cf-secret-0123456',
        'x-n': 'short',
      },
    );
    expect(credentials).toEqual(
      expect.arrayContaining(['custom-host-token-0123', 'cf-secret-0123456', 'sk-provider-key-1']),
    );
    expect(credentials).not.toContain('short');
  });
});

describe('redactCredentials', () => {
  const secret = 'abc/def+ghi\nJKL=';
  it('redacts a credential as written, JSON-escaped, with escaped slashes, and cut off at the end', () => {
    expect(redactCredentials(`token ${secret} is bad`, [secret])).toBe(`token ${REDACTED} is bad`);
    expect(redactCredentials('{"t":"abc/def+ghi\\nJKL="}', [secret])).toBe(`{"t":"${REDACTED}"}`);
    expect(redactCredentials('{"t":"abc\\/def+ghi\\nJKL="}', [secret])).toBe(`{"t":"${REDACTED}"}`);
    expect(redactCredentials('the body was cut: abc/def+g', [secret])).toBe(`the body was cut: ${REDACTED}`);
    expect(redactCredentials('nothing here: abc/', [secret])).toBe('nothing here: abc/');
  });
});

describe('scrubFailure', () => {
  it('gives a new UpstreamError (message, raw, answer headers kept) and the same failure when nothing matched', () => {
    const error = new UpstreamError({
      provider: 'openai',
      status: 401,
      message: 'Incorrect API key provided: sk-live-SECRET-123.',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      raw: { error: { message: 'Incorrect API key provided: sk-live-SECRET-123.' } },
      retryAfterMs: 5,
    });
    error.answerHeaders = { 'x-ratelimit-remaining-requests': '9' };
    const failure = { ok: false as const, status: 401, error };
    const scrubbed = scrubFailure(failure, ['sk-live-SECRET-123']).error as UpstreamError;
    expect(scrubbed).toBeInstanceOf(UpstreamError);
    expect(scrubbed).toMatchObject({
      vendorMessage: `Incorrect API key provided: ${REDACTED}.`,
      raw: { error: { message: `Incorrect API key provided: ${REDACTED}.` } },
      retryable: false,
      retryAfterMs: 5,
      answerHeaders: { 'x-ratelimit-remaining-requests': '9' },
    });
    expect(scrubbed.message).toBe(`openai: 401 Incorrect API key provided: ${REDACTED}.`);
    expect(scrubFailure(failure, ['sk-other-key-000'])).toBe(failure);
    const pk = {
      ok: false as const,
      status: 401,
      error: new PkError('PK_ERR_UNAUTHORIZED', 'k=sk-live-SECRET-123'),
    };
    expect(scrubFailure(pk, ['sk-live-SECRET-123']).error).toMatchObject({
      code: 'PK_ERR_UNAUTHORIZED',
      message: `k=${REDACTED}`,
    });
  });
});

// Every provider call goes through the same failure step: each vendor here echoes the credential it
// got (a misbehaving OpenAI-compatible server, an AWS error quoting the token, a proxy in front of
// Vertex), and none of it may reach the outcome the engine, the client and the logs read.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const transport = createUndiciTransport();
let upstream: MockUpstream;
const EXCHANGED_TOKEN = 'ya29.exchanged-SECRET-token';

function echoedCredential(request: RecordedRequest): string {
  const { headers } = request;
  return String(
    headers['x-amz-security-token'] ?? headers['x-api-key'] ?? headers['api-key'] ?? headers.authorization,
  );
}

beforeAll(async () => {
  upstream = await startMockUpstream((request) => {
    if (request.url === '/token') {
      return {
        body: JSON.stringify({ access_token: EXCHANGED_TOKEN, expires_in: 3600, token_type: 'Bearer' }),
      };
    }
    const credential = echoedCredential(request);
    if (request.url.includes('/model/')) {
      return {
        status: 403,
        headers: {
          'x-amzn-errortype':
            'ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/',
        },
        body: JSON.stringify({
          message: `The security token included in the request is expired: ${credential}`,
        }),
      };
    }
    if (request.url.includes('/publishers/')) {
      return {
        status: 401,
        body: JSON.stringify({
          error: {
            code: 401,
            message: `Request had invalid credentials: ${credential}`,
            status: 'UNAUTHENTICATED',
          },
        }),
      };
    }
    if (request.url.endsWith('/messages') && request.body.includes('claude-midstream')) {
      const start = {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-midstream',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      };
      const error = { type: 'error', error: { type: 'overloaded_error', message: `busy for ${credential}` } };
      return {
        headers: { 'content-type': 'text/event-stream' },
        frames: [
          `event: message_start\ndata: ${JSON.stringify(start)}\n\n`,
          `event: error\ndata: ${JSON.stringify(error)}\n\n`,
        ],
        frameDelayMs: 200,
      };
    }
    if (request.url.endsWith('/messages') && request.body.includes('"stream":true')) {
      const error = { type: 'error', error: { type: 'overloaded_error', message: `busy for ${credential}` } };
      return {
        headers: { 'content-type': 'text/event-stream' },
        frames: [`event: error\ndata: ${JSON.stringify(error)}\n\n`],
      };
    }
    if (request.url.endsWith('/messages')) {
      return {
        status: 401,
        body: JSON.stringify({
          type: 'error',
          error: { type: 'authentication_error', message: `invalid x-api-key ${credential}` },
        }),
      };
    }
    return {
      status: 401,
      body: JSON.stringify({
        error: {
          message: `Incorrect API key provided: ${credential}`,
          type: 'invalid_request_error',
          code: null,
        },
      }),
    };
  });
});
afterAll(async () => {
  await upstream.close();
  await transport.close();
});

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const call = (target: Record<string, unknown>, request: Parameters<typeof callProvider>[0]['request']) =>
  callProvider({
    target,
    request,
    transport,
    authSettings: { trustedGoogleTokenUris: [`${upstream.origin}/token`] },
  });
const failed = (outcome: ProviderAttemptOutcome) => {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.error as UpstreamError;
};
const everything = (error: UpstreamError) =>
  JSON.stringify([error.message, error.toEnvelope(), error.raw, error.type, error.code]);

describe('scrubFailure on a vendor’s error details', () => {
  it('redacts a credential in the details the client gets, and keeps the rest as sent', () => {
    const innererror = { code: 'ResponsibleAIPolicyViolation', note: 'key azure-SECRET-42 was used' };
    const error = new UpstreamError({
      provider: 'azure-openai',
      status: 400,
      message: 'filtered',
      code: 'content_filter',
      details: { innererror },
    });
    const scrubbed = scrubFailure({ ok: false as const, status: 400, error }, ['azure-SECRET-42'])
      .error as UpstreamError;
    expect(scrubbed.toEnvelope().error).toMatchObject({
      code: 'content_filter',
      innererror: { code: 'ResponsibleAIPolicyViolation', note: `key ${REDACTED} was used` },
    });
  });
});

describe('a failed provider call never carries the credentials it used', () => {
  it.each([
    ['openai, Authorization', { provider: 'openai', api_key: 'sk-live-SECRET-openai', custom_host: '/v1' }],
    [
      'azure-openai, an Entra token',
      {
        provider: 'azure-openai',
        azure_ad_token: 'entra-SECRET-token-123',
        custom_host: '',
        deployment_id: 'gpt-4o',
        api_version: '2024-10-21',
      },
    ],
    ['groq, Authorization', { provider: 'groq', api_key: 'gsk-SECRET-groq-key', custom_host: '/openai/v1' }],
  ])('%s: the echoed key is redacted', async (_name, target) => {
    const outcome = await call(
      { ...target, custom_host: `${upstream.origin}${target.custom_host}` },
      { endpoint: 'chat.completions', body: chat },
    );
    const error = failed(outcome);
    expect(error.status).toBe(401);
    expect(error.vendorMessage).toMatch(/^Incorrect API key provided: /);
    expect(everything(error)).toContain(REDACTED);
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  it('bedrock: an AWS message quoting the session token', async () => {
    const error = failed(
      await call(
        {
          provider: 'bedrock',
          custom_host: upstream.origin,
          aws_region: 'us-east-1',
          aws_access_key_id: 'AKIDEXAMPLE',
          aws_secret_access_key: 'wrong-SECRET-typo',
          aws_session_token: 'FwoGZXIvYXdzSESSIONTOKEN-SECRET//xyz=',
        },
        { endpoint: 'chat.completions', body: { ...chat, model: 'anthropic.claude-3-haiku-20240307-v1:0' } },
      ),
    );
    expect(error).toMatchObject({
      status: 403,
      type: 'ExpiredTokenException',
      vendorMessage: `The security token included in the request is expired: ${REDACTED}`,
    });
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  it('vertex-ai: the access token exchanged for a service account (never in the target)', async () => {
    const error = failed(
      await call(
        {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_region: 'us-central1',
          vertex_service_account_json: {
            type: 'service_account',
            project_id: 'my-project-1',
            private_key_id: 'key-1',
            private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
            client_email: 'pk@my-project-1.iam.gserviceaccount.com',
            token_uri: `${upstream.origin}/token`,
          },
        },
        { endpoint: 'chat.completions', body: { ...chat, model: 'gemini-2.0-flash' } },
      ),
    );
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${EXCHANGED_TOKEN}`);
    expect(error.status).toBe(401);
    expect(error.vendorMessage).toBe(`Request had invalid credentials: ${REDACTED}`);
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  it('anthropic on /v1/messages: an error answer and a stream that opens with an error event', async () => {
    const target = {
      provider: 'anthropic',
      api_key: 'sk-ant-SECRET-key-1',
      custom_host: `${upstream.origin}/v1`,
    };
    const body = { model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: chat.messages };
    const answer = failed(await call(target, { endpoint: 'messages', body }));
    expect(answer.vendorMessage).toBe(`invalid x-api-key ${REDACTED}`);
    expect(everything(answer)).not.toMatch(/SECRET/);
    const opening = failed(await call(target, { endpoint: 'messages', body: { ...body, stream: true } }));
    expect(opening.vendorMessage).toBe(`busy for ${REDACTED}`);
    expect(everything(opening)).not.toMatch(/SECRET/);
    const translated = failed(
      await call(target, { endpoint: 'chat.completions', body: { ...chat, stream: true } }),
    );
    expect(translated.vendorMessage).toBe(`busy for ${REDACTED}`);
  });

  it('an error in the middle of a stream (native and translated): the client’s frame and progress.error', async () => {
    const target = {
      provider: 'anthropic',
      api_key: 'sk-ant-SECRET-key-2',
      custom_host: `${upstream.origin}/v1`,
    };
    const body = { model: 'claude-midstream', max_tokens: 10, messages: chat.messages, stream: true };
    for (const request of [
      { endpoint: 'messages' as const, body },
      { endpoint: 'chat.completions' as const, body: { ...chat, model: 'claude-midstream', stream: true } },
    ]) {
      const outcome = await call(target, request);
      if (!outcome.ok || outcome.value.kind !== 'stream') throw new Error('expected a stream');
      let text = '';
      for await (const piece of outcome.value.stream) text += Buffer.from(piece).toString('utf8');
      expect(text).toContain(`busy for ${REDACTED}`);
      expect(text).not.toMatch(/SECRET/);
      expect(outcome.value.progress?.error?.message).toBe(`busy for ${REDACTED}`);
    }
  });

  it('leaves a successful answer as the provider sent it', async () => {
    upstream.setHandler((request) => ({
      body: JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: `you sent ${echoedCredential(request)}` },
            finish_reason: 'stop',
          },
        ],
      }),
    }));
    const outcome = await call(
      { provider: 'openai', api_key: 'sk-live-SECRET-openai', custom_host: `${upstream.origin}/v1` },
      { endpoint: 'chat.completions', body: chat },
    );
    expect(outcome.ok && outcome.value.kind === 'json' ? JSON.stringify(outcome.value.body) : '').toContain(
      'you sent Bearer sk-live-SECRET-openai',
    );
  });
});
