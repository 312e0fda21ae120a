import { Readable } from 'node:stream';
import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { callDialect } from '../execute/call-dialect.js';
import { callProvider } from '../execute/call-provider.js';
import type { Transport } from '../execute/transport.js';
import type { ProviderRequest, ProviderTarget } from '../spec/provider-adapter.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { readFixtureText } from '../test-support/fixtures.js';

// Amazon Bedrock API keys (`aws_auth_type: apiKey`): the key goes as `Authorization: Bearer`, with no
// SigV4 signature, to Converse, ConverseStream and InvokeModel alike.
// https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleS0wMTIzNDU2Nzg5';

const target = (more: ProviderTarget = {}): ProviderTarget => ({
  provider: 'bedrock',
  aws_region: 'us-west-2',
  aws_auth_type: 'apiKey',
  api_key: API_KEY,
  ...more,
});

function answer(status: number, body: string | Uint8Array[], headers: Record<string, string> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Readable.from(typeof body === 'string' ? [Buffer.from(body)] : body),
  } satisfies UpstreamResponse;
}

/** A transport that records what it is sent and answers `reply`. */
function recording(reply: (request: UpstreamRequest) => UpstreamResponse) {
  const sent: UpstreamRequest[] = [];
  const transport: Transport = {
    async send(request) {
      sent.push(request);
      return reply(request);
    },
    close: async () => {},
  };
  return { sent, transport };
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += Buffer.from(piece).toString('utf8');
  return text;
}

const chat = (stream = false): ProviderRequest => ({
  endpoint: 'chat.completions',
  body: { model: 'amazon.nova-pro-v1:0', messages: [{ role: 'user', content: 'hi' }], stream },
});

function expectBearerOnly(request: UpstreamRequest | undefined): void {
  expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  const names = Object.keys(request?.headers ?? {});
  expect(names.filter((name) => name.toLowerCase().startsWith('x-amz-'))).toEqual([]);
  expect(names.filter((name) => name.toLowerCase() === 'authorization')).toHaveLength(1);
}

describe('bedrock aws_auth_type apiKey', () => {
  it('sends Converse with the key as a bearer token and no signature', async () => {
    const { sent, transport } = recording(() => answer(200, readFixtureText('bedrock', 'text.json')));
    const outcome = await callProvider({ target: target(), request: chat(), transport });
    expect(outcome.ok).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(
      'https://bedrock-runtime.us-west-2.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse',
    );
    expectBearerOnly(sent[0]);
  });

  it('streams ConverseStream with the bearer token', async () => {
    const frames = bedrockFramesFromChunks(readFixtureText('bedrock', 'text.chunks.txt').trim().split('\n'));
    const { sent, transport } = recording(() =>
      answer(200, frames, { 'content-type': 'application/vnd.amazon.eventstream' }),
    );
    const outcome = await callProvider({ target: target(), request: chat(true), transport });
    if (!outcome.ok || outcome.value.kind !== 'stream') throw new Error('expected a stream');
    expect(await drain(outcome.value.stream)).toContain('How can I help you today?');
    expect(sent[0]?.url).toMatch(/\/converse-stream$/);
    expectBearerOnly(sent[0]);
  });

  it('calls InvokeModel for embeddings and for Claude’s native Messages with the bearer token', async () => {
    const embeddings = recording(() => answer(200, readFixtureText('bedrock', 'embeddings-titan.json')));
    const embedded = await callProvider({
      target: target(),
      request: { endpoint: 'embeddings', body: { model: 'amazon.titan-embed-text-v2:0', input: 'hi' } },
      transport: embeddings.transport,
    });
    expect(embedded.ok).toBe(true);
    expect(embeddings.sent[0]?.url).toMatch(/\/model\/amazon\.titan-embed-text-v2%3A0\/invoke$/);
    expectBearerOnly(embeddings.sent[0]);

    const claude = recording(() =>
      answer(
        200,
        JSON.stringify({
          id: 'msg_bdrk_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'Hello' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        }),
      ),
    );
    const messages = await callDialect({
      target: target(),
      request: {
        endpoint: 'messages',
        body: {
          model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        },
      },
      transport: claude.transport,
    });
    expect(messages.ok).toBe(true);
    expect(claude.sent[0]?.url).toMatch(/\/invoke$/);
    expectBearerOnly(claude.sent[0]);
  });

  it('drops signing headers forwarded by the client and ignores the target’s access keys', async () => {
    const { sent, transport } = recording(() => answer(200, readFixtureText('bedrock', 'text.json')));
    const outcome = await callProvider({
      target: target({
        aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
        aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG',
      }),
      request: {
        ...chat(),
        forwardedHeaders: {
          'x-amz-date': '20260101T000000Z',
          'x-amz-security-token': 'FwoGZXIvYXdzForwarded',
        },
      },
      transport,
    });
    expect(outcome.ok).toBe(true);
    expectBearerOnly(sent[0]);
  });

  it('refuses an apiKey target without a key (400, nothing sent)', async () => {
    const { sent, transport } = recording(() => answer(200, '{}'));
    const outcome = await callProvider({
      target: target({ api_key: undefined }),
      request: chat(),
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400 });
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(PkError);
    expect((outcome.error as PkError).code).toBe('PK_ERR_INVALID_REQUEST');
    expect((outcome.error as PkError).message).toContain('Authorization: Bearer');
    expect(sent).toHaveLength(0);
  });

  it('answers Bedrock’s 403 as it came, once (no renewal), with the key redacted from its message', async () => {
    const { sent, transport } = recording(() =>
      answer(403, JSON.stringify({ message: `Invalid API Key: ${API_KEY}` }), {
        'x-amzn-errortype':
          'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      }),
    );
    const outcome = await callProvider({ target: target(), request: chat(), transport });
    expect(outcome).toMatchObject({ ok: false, status: 403 });
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(outcome)).not.toContain(API_KEY);
    expect(JSON.stringify(outcome)).toContain('[redacted]');
  });
});
