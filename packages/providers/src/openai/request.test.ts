import { describe, expect, it } from 'vitest';
import { rememberBodyJson } from '../shared/body-json.js';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { toOpenAIRequest } from './request.js';

const context = testContext('openai', { provider: 'openai', api_key: 'sk-test' });

describe('toOpenAIRequest', () => {
  it.each(['request-text.json', 'request-tools.json'])(
    'sends the documented example %s field for field',
    (name) => {
      const documented = readJsonFixture('openai', name);
      const { upstream, warnings } = toOpenAIRequest(preparedChat('openai', documented), context);
      expect(upstream.url).toBe('https://api.openai.com/v1/chat/completions');
      expect(upstream.method).toBe('POST');
      expect(upstream.headers).toEqual({
        authorization: 'Bearer sk-test',
        'content-type': 'application/json',
      });
      expect(JSON.parse(String(upstream.body))).toEqual(documented);
      expect(warnings).toEqual([]);
    },
  );

  it.each([
    ['GET', {}, undefined],
    ['HEAD', {}, undefined],
    ['DELETE', {}, undefined],
    ['DELETE', { reason: 'duplicate' }, '{"reason":"duplicate"}'],
    ['POST', {}, '{}'],
  ] as const)(
    'a pass-through %s with the body %j sends %s, and a content type only with a body',
    (method, body, sent) => {
      const prepared = prepareRequest({
        request: { endpoint: 'passthrough', path: '/files/file-abc', method, body },
        provider: 'openai',
        target: { provider: 'openai', api_key: 'sk-test' },
      });
      const { upstream } = toOpenAIRequest(prepared, context);
      expect(upstream.method).toBe(method);
      expect(upstream.body === undefined ? undefined : String(upstream.body)).toBe(sent);
      expect(upstream.headers['content-type']).toBe(sent === undefined ? undefined : 'application/json');
    },
  );

  it('passes unknown parameters through untouched and always asks for stream usage', () => {
    const body = {
      model: 'gpt-4.1',
      messages: [],
      stream: true,
      some_new_parameter: { a: 1 },
      verbosity: 'low',
    };
    const sent = JSON.parse(String(toOpenAIRequest(preparedChat('openai', body), context).upstream.body));
    expect(sent).toEqual({ ...body, stream_options: { include_usage: true } });
  });

  it("asks for stream usage in the client's own bytes, without serialising the body again", () => {
    const text = '{ "model": "gpt-4.1", "stream": true, "messages": [{"role":"user","content":"é}"}] } \n';
    const body = JSON.parse(text);
    rememberBodyJson(body, Buffer.from(text));
    const sent = toOpenAIRequest(preparedChat('openai', body), context).upstream.body;
    expect(Buffer.from(sent as Uint8Array).toString('utf8')).toBe(
      '{ "model": "gpt-4.1", "stream": true, "messages": [{"role":"user","content":"é}"}] ,"stream_options":{"include_usage":true}}',
    );
    expect(JSON.parse(Buffer.from(sent as Uint8Array).toString('utf8'))).toEqual({
      ...body,
      stream_options: { include_usage: true },
    });
    // A body with stream_options of its own is merged and serialised as before.
    const own = JSON.parse('{"model":"m","stream":true,"messages":[],"stream_options":null}');
    rememberBodyJson(own, Buffer.from('{"model":"m","stream":true,"messages":[],"stream_options":null}'));
    const merged = toOpenAIRequest(preparedChat('openai', own), context).upstream.body;
    expect(JSON.parse(String(merged))).toEqual({ ...own, stream_options: { include_usage: true } });
  });

  it("merges only the answering provider's provider_options and removes the rest", () => {
    const body = {
      model: 'gpt-4.1',
      messages: [],
      provider_options: { openai: { service_tier: 'flex' }, anthropic: { top_k: 5 } },
    };
    const sent = JSON.parse(String(toOpenAIRequest(preparedChat('openai', body), context).upstream.body));
    expect(sent).toEqual({ model: 'gpt-4.1', messages: [], service_tier: 'flex' });
  });

  it('uses custom_host and the organization and project headers', () => {
    const target = {
      api_key: 'k',
      custom_host: 'http://127.0.0.1:9/v1/',
      openai_organization: 'org',
      openai_project: 'proj',
    };
    const { upstream } = toOpenAIRequest(
      preparedChat('openai', { model: 'm', messages: [] }),
      testContext('openai', target),
    );
    expect(upstream.url).toBe('http://127.0.0.1:9/v1/chat/completions');
    expect(upstream.headers).toMatchObject({ 'openai-organization': 'org', 'openai-project': 'proj' });
  });
});
