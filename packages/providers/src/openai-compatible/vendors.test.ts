import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProvider, type ProviderAnswer } from '../execute/call-provider.js';
import { createUndiciTransport } from '../execute/undici-transport.js';
import { answerJsonOf } from '../shared/body-json.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { readFixtureText } from '../test-support/fixtures.js';
import { type MockUpstream, type RecordedRequest, startMockUpstream } from '../test-support/mock-upstream.js';
import { chatCompletionChunkSchema, chatCompletionSchema } from '../test-support/openai-schemas.js';
import {
  createRedirectingTransport,
  type RedirectingTransport,
} from '../test-support/redirecting-transport.js';
import { collectChatStream, readSseEvents } from '../test-support/sse-client.js';
import {
  hasVendorCase,
  readVendorCase,
  type VendorCase,
  vendorStreamFrames,
} from '../test-support/vendor-case.js';
import { OPENAI_COMPATIBLE_CONFIGS } from './configs.js';

/**
 * Every OpenAI-compatible vendor, one by one, against a mock upstream on 127.0.0.1 that answers with
 * that vendor's documented answers (`__fixtures__/<id>/`): the request must reach the vendor's own URL
 * (the redirecting transport keeps the path and records the full URL) with its auth header, carry its
 * quirks (renamed, dropped or added fields; `stream_options` only where the vendor reports usage that
 * way), and the client must get OpenAI's objects back, vendor fields included.
 */
const inner = createUndiciTransport();
let upstream: MockUpstream;
let transport: RedirectingTransport;

beforeAll(async () => {
  upstream = await startMockUpstream();
  transport = createRedirectingTransport(inner, upstream.origin);
});
afterAll(async () => {
  await upstream.close();
  await transport.close();
});

const MESSAGES = [{ role: 'user', content: 'Say hello.' }];

function call(id: string, vendorCase: VendorCase, body: Record<string, unknown>) {
  return callProvider({
    target: { provider: id, ...vendorCase.target },
    request: { endpoint: 'chat.completions', body },
    transport,
    generateId: () => 'chatcmpl-pk-test',
    now: () => 1_700_000_000_000,
  });
}

/** The one request the mock received for this call, checked against the vendor's documented URL and headers. */
function checkReceived(vendorCase: VendorCase, clientBody: Record<string, unknown>): Record<string, unknown> {
  expect(transport.intendedUrls.at(-1)).toBe(vendorCase.url);
  const received = upstream.requests.at(-1) as RecordedRequest;
  const documented = new URL(vendorCase.url);
  expect(received.method).toBe('POST');
  expect(received.url).toBe(`${documented.pathname}${documented.search}`);
  expect(received.headers).toMatchObject(vendorCase.headers);
  for (const name of vendorCase.absentHeaders) expect(received.headers).not.toHaveProperty(name);
  const sent = JSON.parse(received.body) as Record<string, unknown>;
  for (const [key, value] of Object.entries(clientBody)) {
    if (key === 'stream_options' || vendorCase.sentAbsent.includes(key)) continue;
    expect(sent[key], key).toEqual(value);
  }
  for (const key of vendorCase.sentAbsent) expect(sent, key).not.toHaveProperty(key);
  expect(sent).toMatchObject(vendorCase.sentIncludes);
  return sent;
}

function expectKind<K extends ProviderAnswer['kind']>(
  outcome: Awaited<ReturnType<typeof call>>,
  kind: K,
): Extract<ProviderAnswer, { kind: K }> {
  if (!outcome.ok) throw new Error(`expected an answer, got ${outcome.status}: ${outcome.error.message}`);
  expect(outcome.value.kind).toBe(kind);
  return outcome.value as Extract<ProviderAnswer, { kind: K }>;
}

describe.each(OPENAI_COMPATIBLE_CONFIGS.map((config) => config.id))('%s', (id) => {
  if (!hasVendorCase(id)) {
    it('has documented fixtures (__fixtures__/<id>/case.json)', () => {
      expect(hasVendorCase(id)).toBe(true);
    });
    return;
  }
  const vendorCase = readVendorCase(id);

  it(`chat call: URL, auth and ${vendorCase.quirk}`, async () => {
    const body = { model: 'model-of-the-docs', messages: MESSAGES, ...vendorCase.request };
    upstream.setHandler(() => ({
      body: readFixtureText('openai-compatible', `${id}/${vendorCase.chat.fixture}`),
    }));
    const answer = expectKind(await call(id, vendorCase, body), 'json');
    const sent = checkReceived(vendorCase, body);
    expect(sent).not.toHaveProperty('stream_options');
    expect(answer.warnings).toEqual(vendorCase.warnings);
    expect(answer.headers['x-portkey-provider']).toBe(id);
    chatCompletionSchema.parse(answer.body);
    expect(answer.body).toMatchObject(vendorCase.chat.expect);
    // What the gateway sends: the vendor's text when the answer needed no change, else the answer serialised.
    const sentToClient = JSON.parse(answerJsonOf(answer.body) ?? JSON.stringify(answer.body)) as unknown;
    expect(sentToClient).toEqual(answer.body);
    chatCompletionSchema.parse(sentToClient);
  });

  it('stream: the vendor usage reaches the client exactly once, chunks are OpenAI chunks', async () => {
    const body = {
      model: 'model-of-the-docs',
      messages: MESSAGES,
      ...vendorCase.request,
      stream: true,
      stream_options: { include_usage: true },
    };
    upstream.setHandler(() => ({ frames: vendorStreamFrames(id, vendorCase.stream.fixture) }));
    const answer = expectKind(await call(id, vendorCase, body), 'stream');
    const events = await readSseEvents(answer.stream);
    const sent = checkReceived(vendorCase, body);
    if (vendorCase.stream.streamOptionsSent) {
      expect(sent.stream_options).toEqual({ include_usage: true });
    } else {
      expect(sent).not.toHaveProperty('stream_options');
    }
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    for (const event of events.slice(0, -1)) chatCompletionChunkSchema.parse(JSON.parse(event.data));
    const collected = collectChatStream(events);
    expect(collected.content).toBe(vendorCase.stream.content);
    expect(collected.reasoning).toBe(vendorCase.stream.reasoning);
    expect(collected.finishReason).toBe(vendorCase.stream.finishReason);
    if (vendorCase.stream.usage === null) {
      expect(collected.usageChunks).toBe(0);
      expect(await answer.usage).toBeUndefined();
    } else {
      expect(collected.usageChunks).toBe(1);
      expect(collected.usage).toEqual(vendorCase.stream.usage);
      expect(await answer.usage).toEqual(vendorCase.stream.usage);
    }
  });

  const error = vendorCase.error;
  if (error !== undefined) {
    it(`error answer: the vendor's error body (${error.fixture}) becomes one UpstreamError`, async () => {
      upstream.setHandler(() => ({
        status: error.status,
        headers: error.headers,
        body: readFixtureText('openai-compatible', `${id}/${error.fixture}`),
      }));
      const outcome = await call(id, vendorCase, { model: 'model-of-the-docs', messages: MESSAGES });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(UpstreamError.isInstance(outcome.error)).toBe(true);
      expect(outcome.error).toMatchObject({ status: error.status, provider: id, ...error.expect });
    });
  }
});
