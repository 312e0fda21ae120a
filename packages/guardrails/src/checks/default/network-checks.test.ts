import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../../compile/compile-hook.js';
import type { GuardrailHttpRequest, GuardrailTransport } from '../../network/guardrail-transport.js';
import {
  chatAnswer,
  chatRequest,
  contextOf,
  definitionOf,
  runCheckOnce,
  testServices,
} from '../../testing/check-harness.js';

/** A network port answering from a function, recording every call. */
function transportOf(answer: (request: GuardrailHttpRequest) => { status: number; body: string } | Error) {
  const calls: GuardrailHttpRequest[] = [];
  const transport: GuardrailTransport = {
    async request(request) {
      calls.push(request);
      const result = answer(request);
      if (result instanceof Error) throw result;
      return { status: result.status, headers: {}, body: result.body };
    },
  };
  return { transport, calls };
}

function timeoutError(): Error {
  return Object.assign(new Error('timed out'), { name: 'TimeoutError' });
}

describe('default.webhook', () => {
  const url = 'https://guard.example.com/check?token=abc';

  it.each([
    ['verdict true passes', { status: 200, body: '{"verdict":true}' }, true, false],
    ['verdict false fails', { status: 200, body: '{"verdict":false,"data":{"why":"policy"}}' }, false, false],
    ['a 500 errors', { status: 500, body: '{"error":"boom"}' }, false, true],
    ['garbage errors', { status: 200, body: '<html>' }, false, true],
    ['no verdict errors', { status: 200, body: '{"ok":true}' }, false, true],
    ['a timeout errors', timeoutError(), false, true],
  ])('%s', async (_name, answer, verdict, errored) => {
    const { transport, calls } = transportOf(() => answer);
    const outcome = await runCheckOnce(
      'default.webhook',
      { webhookURL: url, timeout: 500, headers: { Authorization: 'Bearer hook-key' } },
      contextOf({ request: chatRequest('hi'), headers: { authorization: 'Bearer client-secret' } }),
      'beforeRequestHook',
      testServices({ transport }),
      'operator',
    );
    expect(outcome.verdict).toBe(verdict);
    expect(outcome.error !== undefined).toBe(errored);
    expect(calls[0]).toMatchObject({
      url,
      method: 'POST',
      timeoutMs: 500,
      headers: { authorization: 'Bearer hook-key' },
    });
    const body = JSON.parse(calls[0]?.body ?? '{}');
    expect(body).toMatchObject({
      eventType: 'beforeRequestHook',
      request: { text: 'hi' },
      requestType: 'chatComplete',
    });
    // Portkey's context before the request: an empty answer object, not null.
    expect(body.response).toEqual({ json: {}, text: '', statusCode: null });
    // The webhook's `data`, as Portkey copies it: absent when it sent none.
    if (!errored) expect('responseData' in (outcome.data as object)).toBe(verdict === false);
    // The client's headers never go to the webhook; results show no query string.
    expect(calls[0]?.body).not.toContain('client-secret');
    expect(JSON.stringify(outcome.data)).not.toContain('token=abc');
  });

  it.each([
    ['a 401 page', 401, (echo: string) => echo],
    ['a verdict whose data quotes the call', 200, (echo: string) => `{"verdict":false,"data":${echo}}`],
  ])(
    '%s quoting its headers and URL: hook results show [redacted] in their place',
    async (_name, status, bodyOf) => {
      const { transport } = transportOf((request) => ({
        status,
        body: bodyOf(JSON.stringify({ url: request.url, headers: request.headers })),
      }));
      const outcome = await runCheckOnce(
        'default.webhook',
        {
          webhookURL: 'https://guard.example.com/check?token=hook-query-token-1',
          headers: { Authorization: 'Bearer hook-header-key-1', 'x-hook-key': 'hook-other-key-1' },
        },
        contextOf({ request: chatRequest('hi') }),
        'beforeRequestHook',
        testServices({ transport }),
        'operator',
      );
      expect(outcome.verdict).toBe(false);
      const shown = JSON.stringify([outcome.data, outcome.error]);
      expect(shown).toContain('responseData');
      expect(shown).toContain('[redacted]');
      expect(shown).not.toMatch(/hook-query-token-1|hook-header-key-1|hook-other-key-1/);
    },
  );

  it('applies transformedData to the answer after the request', async () => {
    const { transport } = transportOf(() => ({
      status: 200,
      body: JSON.stringify({
        verdict: true,
        transformedData: { response: { json: chatAnswer('rewritten') } },
      }),
    }));
    const outcome = await runCheckOnce(
      'default.webhook',
      { webhookURL: url },
      contextOf({ response: chatAnswer('original') }),
      'afterRequestHook',
      testServices({ transport }),
      'operator',
    );
    expect(outcome.transformedResponse).toEqual(chatAnswer('rewritten'));
  });

  it('signs the body with the secret: sha256 HMAC of "<timestamp>.<body>"', async () => {
    const { transport, calls } = transportOf(() => ({ status: 200, body: '{"verdict":true}' }));
    const definition = definitionOf('default.webhook');
    const compiled = definition.compile({ webhookURL: url, secret: 'env:HOOK_SECRET' }, 'operator', {
      resolveSecret: (reference) => (reference === 'env:HOOK_SECRET' ? 'topsecret' : undefined),
    });
    if (!compiled.ok) throw new Error('refused');
    expect(JSON.stringify(compiled.parameters)).not.toContain('topsecret');
    await definition.run({
      context: contextOf({}),
      parameters: compiled.parameters,
      event: 'beforeRequestHook',
      services: testServices({ transport }),
    });
    const headers = calls[0]?.headers ?? {};
    expect(headers['x-pk-timestamp']).toBe('1700000000');
    const expected = createHmac('sha256', 'topsecret').update(`1700000000.${calls[0]?.body}`).digest('hex');
    expect(headers['x-pk-signature']).toBe(`sha256=${expected}`);
  });

  it('refuses a literal or unresolvable secret, and any use outside the operator guardrails', () => {
    const definition = definitionOf('default.webhook');
    expect(definition.compile({ webhookURL: url, secret: 'plain' }, 'operator', {}).ok).toBe(false);
    expect(
      definition.compile({ webhookURL: url, secret: 'env:MISSING' }, 'operator', {
        resolveSecret: () => undefined,
      }).ok,
    ).toBe(false);
    expect(definition.compile({ webhookURL: 'ftp://x' }, 'operator', {}).ok).toBe(false);
    const inConfig = compileRawHook(
      { id: 'h', checks: [{ id: 'default.webhook', parameters: { webhookURL: url } }] },
      {
        origin: 'config',
        segments: ['before_request_hooks', 0],
        root: 'config',
        guardrails: new Map(),
        defaultId: 'h',
      },
    );
    expect(inConfig.ok).toBe(false);
    if (!inConfig.ok)
      expect(inConfig.issues[0]?.path).toBe('config.before_request_hooks[0].checks[0].parameters.webhookURL');
  });
});

describe('default.log', () => {
  it.each([
    ['a 2xx passes', { status: 204, body: '' }, true],
    ['a 500 errors', { status: 500, body: '' }, false],
    ['a timeout errors', timeoutError(), false],
  ])('%s', async (_name, answer, verdict) => {
    const { transport, calls } = transportOf(() => answer);
    const outcome = await runCheckOnce(
      'default.log',
      { logURL: 'https://logs.example.com/in' },
      contextOf({ response: chatAnswer('hi') }),
      'afterRequestHook',
      testServices({ transport }),
      'operator',
    );
    expect(outcome.verdict).toBe(verdict);
    expect(calls).toHaveLength(1);
  });
});

describe('default.jwt', () => {
  async function keys() {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const sign = (claims: Record<string, unknown>, kid = 'k1', issuedAt: number | string = '0s') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuedAt(issuedAt as number)
        .setExpirationTime('1h')
        .sign(privateKey);
    return { jwks: JSON.stringify({ keys: [jwk] }), sign };
  }

  it('passes a token signed by a key of the set; caches the set', async () => {
    const { jwks, sign } = await keys();
    const { transport, calls } = transportOf(() => ({ status: 200, body: jwks }));
    const definition = definitionOf('default.jwt');
    const compiled = definition.compile({ jwksUri: 'https://idp.example.com/jwks.json' }, 'config', {});
    if (!compiled.ok) throw new Error('refused');
    const services = { now: Date.now, transport };
    const token = await sign({ sub: 'u1' });
    for (const header of [`Bearer ${token}`, token]) {
      const outcome = await definition.run({
        context: contextOf({ headers: { authorization: header } }),
        parameters: compiled.parameters,
        event: 'beforeRequestHook',
        services,
      });
      expect(outcome.verdict).toBe(true);
    }
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['no header', undefined, 'Missing authorization header'],
    ['a token that is not a JWT', 'Bearer nonsense', 'JWT validation error'],
  ])('fails with %s', async (_name, header, explanation) => {
    const { jwks } = await keys();
    const { transport } = transportOf(() => ({ status: 200, body: jwks }));
    const outcome = await runCheckOnce(
      'default.jwt',
      { jwksUri: 'https://idp.example.com/jwks.json' },
      contextOf(header === undefined ? {} : { headers: { authorization: header } }),
      'beforeRequestHook',
      { now: Date.now, transport },
    );
    expect(outcome.verdict).toBe(false);
    expect(JSON.stringify(outcome.data)).toContain(explanation);
  });

  it('fails a token of an unknown key after refetching once, and reads headerKey', async () => {
    const { jwks, sign } = await keys();
    const { transport, calls } = transportOf(() => ({ status: 200, body: jwks }));
    const outcome = await runCheckOnce(
      'default.jwt',
      { jwksUri: 'https://idp.example.com/jwks.json', headerKey: 'X-User-Token' },
      contextOf({ headers: { 'x-user-token': await sign({}, 'other') } }),
      'beforeRequestHook',
      { now: Date.now, transport },
    );
    expect(outcome).toMatchObject({ verdict: false, data: { explanation: 'No matching key found for kid' } });
    expect(calls).toHaveLength(2);
  });

  it('errors (fail open) when the key set cannot be fetched', async () => {
    const { transport } = transportOf(() => ({ status: 503, body: '' }));
    const outcome = await runCheckOnce(
      'default.jwt',
      { jwksUri: 'https://idp.example.com/jwks.json' },
      contextOf({ headers: { authorization: 'Bearer x.y.z' } }),
      'beforeRequestHook',
      { now: Date.now, transport },
    );
    expect(outcome.error?.message).toContain('Failed to fetch JWKS');
  });
});

describe('default.validUrls', () => {
  const answer = (text: string) => contextOf({ response: chatAnswer(text) });

  it.each([
    [
      'every URL answers 2xx',
      'see https://ok.example.com/a and http://ok.example.com/b',
      { onlyDNS: false },
      true,
    ],
    ['one URL is 404', 'see https://ok.example.com/a and https://missing.example.com/', {}, false],
    ['not: all invalid passes', 'see https://missing.example.com/', { not: true }, true],
    ['no URL fails', 'no links here', {}, false],
  ])('%s', async (_name, text, parameters, verdict) => {
    const { transport, calls } = transportOf((request) => ({
      status: new URL(request.url).hostname.startsWith('ok.') ? 200 : 404,
      body: '',
    }));
    const outcome = await runCheckOnce(
      'default.validUrls',
      parameters,
      answer(text),
      'afterRequestHook',
      testServices({ transport }),
    );
    expect(outcome.verdict).toBe(verdict);
    for (const call of calls) expect(call.method).toBe('HEAD');
  });

  it('checks only that hosts resolve with onlyDNS', async () => {
    const resolveHost = async (hostname: string) => hostname === 'ok.example.com';
    const passing = await runCheckOnce(
      'default.validUrls',
      { onlyDNS: true },
      answer('https://ok.example.com/x'),
      'afterRequestHook',
      testServices({ resolveHost }),
    );
    const failing = await runCheckOnce(
      'default.validUrls',
      { onlyDNS: true },
      answer('https://nx.example.com/x'),
      'afterRequestHook',
      testServices({ resolveHost }),
    );
    expect([passing.verdict, failing.verdict]).toEqual([true, false]);
  });
});
