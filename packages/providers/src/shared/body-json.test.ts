import { describe, expect, it } from 'vitest';
import { toOpenAIRequest } from '../openai/request.js';
import { getProviderAdapter } from '../registry/registry.js';
import type { ProviderRequest } from '../spec/provider-adapter.js';
import { testContext } from '../test-support/context.js';
import { rememberBodyJson } from './body-json.js';
import { prepareRequest } from './prepare-request.js';

/** A body as the gateway gets it: parsed from bytes the client formatted its own way. */
function received(text: string): ProviderRequest {
  const body = JSON.parse(text) as Record<string, unknown>;
  rememberBodyJson(body, Buffer.from(text));
  return { endpoint: 'chat.completions', body };
}

const text = '{ "model" : "gpt-4.1",\n  "messages": [ {"role":"user","content":"héllo"} ], "seed": 7 }';
const openAI = testContext('openai', { api_key: 'sk-test' });

function upstreamBody(request: ProviderRequest, overrideParams?: Record<string, unknown>): string {
  const prepared = prepareRequest({
    request,
    provider: 'openai',
    target: {},
    ...(overrideParams ? { overrideParams } : {}),
  });
  const { body } = toOpenAIRequest(prepared, openAI).upstream;
  return typeof body === 'string' ? body : Buffer.from(body ?? '').toString('utf8');
}

describe('the client JSON kept with its body', () => {
  it('goes upstream byte for byte when nothing changed the body', () => {
    expect(upstreamBody(received(text))).toBe(text);
  });

  it('is dropped when override_params, provider_options or the stream usage option change the body', () => {
    expect(JSON.parse(upstreamBody(received(text), { seed: 8 }))).toMatchObject({ seed: 8 });
    const withOptions = received(
      '{"model":"m","messages":[],"provider_options":{"openai":{"store":true},"anthropic":{"x":1}}}',
    );
    expect(JSON.parse(upstreamBody(withOptions))).toEqual({ model: 'm', messages: [], store: true });
    const streamed = upstreamBody(received('{"model":"m","messages":[],"stream":true}'));
    expect(JSON.parse(streamed)).toEqual({
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('is never sent for a copy: a renamed parameter (Mistral seed → random_seed) is serialised', () => {
    const prepared = prepareRequest({ request: received(text), provider: 'mistral-ai', target: {} });
    const built = getProviderAdapter('mistral-ai').buildRequest(
      prepared,
      testContext('mistral-ai', { api_key: 'k' }),
    );
    const sent = JSON.parse(String(built.upstream.body)) as Record<string, unknown>;
    expect(sent.random_seed).toBe(7);
    expect(sent.seed).toBeUndefined();
  });

  it('is not used for a body object that was not parsed from it', () => {
    const body = { model: 'gpt-4.1', messages: [] };
    expect(upstreamBody({ endpoint: 'chat.completions', body })).toBe(JSON.stringify(body));
  });
});
