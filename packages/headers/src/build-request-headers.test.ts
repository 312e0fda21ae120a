import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { buildRequestHeaders } from './build-request-headers.js';
import type { RequestHeaderOptions } from './request-options.js';

function buildError(options: RequestHeaderOptions): PkError {
  try {
    buildRequestHeaders(options);
  } catch (error) {
    if (error instanceof PkError) return error;
    throw error;
  }
  throw new Error('expected buildRequestHeaders to throw');
}

describe('buildRequestHeaders', () => {
  it("matches the official createHeaders example (wire contract §3), apart from the timeout's type", () => {
    const headers = buildRequestHeaders({
      apiKey: 'pk',
      virtualKey: 'vk',
      config: { retry: { attempts: 2 } },
      traceID: 't',
      metadata: { _user: 'u' },
      cacheForceRefresh: true,
      debug: false,
      forwardHeaders: ['X-My-Header', 'userID'],
      requestTimeout: 5000,
      Authorization: 'sk-abc',
      emptyString: '',
      nullish: null,
      emptyObj: {},
      emptyArr: [],
    });
    expect(headers).toEqual({
      'x-portkey-api-key': 'pk',
      'x-portkey-virtual-key': 'vk',
      'x-portkey-config': '{"retry":{"attempts":2}}',
      'x-portkey-trace-id': 't',
      'x-portkey-metadata': '{"_user":"u"}',
      'x-portkey-cache-force-refresh': 'true',
      'x-portkey-debug': 'false',
      'x-portkey-forward-headers': 'X-My-Header,userID',
      'x-portkey-request-timeout': '5000',
      authorization: 'sk-abc',
    });
  });

  it('emits a stable order: known headers in catalogue order, then authorization, then other options', () => {
    const a = buildRequestHeaders({ zedThing: 'z', Authorization: 'k', traceId: 't', apiKey: 'pk' });
    const b = buildRequestHeaders({ apiKey: 'pk', traceId: 't', Authorization: 'k', zedThing: 'z' });
    expect(Object.keys(a)).toEqual([
      'x-portkey-api-key',
      'x-portkey-trace-id',
      'authorization',
      'x-portkey-zed-thing',
    ]);
    expect(Object.keys(b)).toEqual(Object.keys(a));
  });

  it('sends 0 as "0" (the official SDK sends "")', () => {
    expect(buildRequestHeaders({ numThing: 0, retryCount: 0 })).toEqual({
      'x-portkey-retry-count': '0',
      'x-portkey-num-thing': '0',
    });
  });

  it('keeps the prefix on options named in forwardHeaders (the official SDK drops it)', () => {
    expect(buildRequestHeaders({ forwardHeaders: ['userID'], userID: 'u-1' })).toEqual({
      'x-portkey-forward-headers': 'userID',
      'x-portkey-user-id': 'u-1',
    });
  });

  it('sends strictOpenAiCompliance only when given, as given', () => {
    expect(buildRequestHeaders({})).toEqual({});
    expect(buildRequestHeaders({ strictOpenAiCompliance: false })).toEqual({
      'x-portkey-strict-open-ai-compliance': 'false',
    });
    expect(buildRequestHeaders({ strictOpenAiCompliance: true })).toEqual({
      'x-portkey-strict-open-ai-compliance': 'true',
    });
  });

  it('sends Portkey’s legacy cache mode as x-portkey-cache and refuses one Portkey does not have', () => {
    expect(buildRequestHeaders({ cache: 'semantic' })).toEqual({ 'x-portkey-cache': 'semantic' });
    expect(buildRequestHeaders({ cache: true })).toEqual({ 'x-portkey-cache': 'true' });
    expect(buildRequestHeaders({ cache: ' Simple ' as never })).toEqual({ 'x-portkey-cache': 'simple' });
    const error = buildError({ cache: 'exact' as never });
    expect([error.code, error.param]).toEqual(['PK_ERR_INVALID_HEADER', 'x-portkey-cache']);
  });

  it('sends a config id as it is and a config object as compact JSON', () => {
    expect(buildRequestHeaders({ config: ' pc-abc-123 ' })).toEqual({ 'x-portkey-config': 'pc-abc-123' });
    expect(buildRequestHeaders({ config: { strategy: { mode: 'fallback' }, targets: [] } })).toEqual({
      'x-portkey-config': '{"strategy":{"mode":"fallback"},"targets":[]}',
    });
  });

  it('takes a config written as const (readonly arrays) and sends it as the same JSON', () => {
    const config = {
      strategy: { mode: 'fallback', on_status_codes: [429] },
      targets: [{ virtual_key: 'openai-key' }, { virtual_key: 'anthropic-key' }],
    } as const;
    expect(buildRequestHeaders({ config })).toEqual({
      'x-portkey-config':
        '{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{"virtual_key":"openai-key"},{"virtual_key":"anthropic-key"}]}',
    });
    const roundRobin = { strategy: { mode: 'round-robin' }, targets: [{ virtual_key: 'a' }] } as const;
    // @ts-expect-error readonly does not loosen the checks: `round-robin` is no strategy mode
    buildRequestHeaders({ config: roundRobin });
  });

  it("types a config object with @pk/config's Config: a misspelt key does not compile", () => {
    // @ts-expect-error `retyr` is not a config key.
    expect(buildRequestHeaders({ config: { retyr: { attempts: 1 } } })).toEqual({
      'x-portkey-config': '{"retyr":{"attempts":1}}',
    });
  });

  it('writes provider-specific options under their own headers', () => {
    expect(
      buildRequestHeaders({
        provider: 'bedrock',
        awsAccessKeyId: 'AKIA',
        awsRegion: 'us-east-1',
        vertexServiceAccountJson: { type: 'service_account' },
        azureResourceName: 'res',
        anthropicBeta: 'beta-1',
        mistralFimCompletion: 'true',
      }),
    ).toEqual({
      'x-portkey-provider': 'bedrock',
      'x-portkey-azure-resource-name': 'res',
      'x-portkey-aws-access-key-id': 'AKIA',
      'x-portkey-aws-region': 'us-east-1',
      'x-portkey-vertex-service-account-json': '{"type":"service_account"}',
      'x-portkey-anthropic-beta': 'beta-1',
      'x-portkey-mistral-fim-completion': 'true',
    });
  });

  it('escapes every character beyond ASCII inside JSON values, so the header is ASCII', () => {
    const headers = buildRequestHeaders({ metadata: { user: '张三 😀', city: 'Zürich' } });
    expect(headers['x-portkey-metadata']).toBe(
      '{"user":"\\u5f20\\u4e09 \\ud83d\\ude00","city":"Z\\u00fcrich"}',
    );
    expect(JSON.parse(headers['x-portkey-metadata'] ?? '')).toEqual({ user: '张三 😀', city: 'Zürich' });
  });

  it('takes metadata given as the JSON text of an object and sends that text, as the official SDK does', () => {
    expect(buildRequestHeaders({ metadata: ' {"team": "a", "_user":"u"} ' })).toEqual({
      'x-portkey-metadata': '{"team": "a", "_user":"u"}',
    });
    expect(buildRequestHeaders({ metadata: '{"city":"Zürich"}' })['x-portkey-metadata']).toBe(
      '{"city":"Z\\u00fcrich"}',
    );
  });

  it.each([
    ['an array', '[1]'],
    ['a number', '42'],
    ['a string', '"team-a"'],
    ['not JSON', 'team=a'],
  ])('refuses metadata text that is %s, naming the header', (_case, metadata) => {
    const error = buildError({ metadata });
    expect(error).toMatchObject({ code: 'PK_ERR_INVALID_HEADER', param: 'x-portkey-metadata' });
    expect(error.message).toContain('expected an object or the JSON text of one');
  });

  it('treats an option spelled with ID as the Id spelling, and refuses two different values', () => {
    expect(buildRequestHeaders({ traceID: 'a', traceId: 'a' })).toEqual({ 'x-portkey-trace-id': 'a' });
    expect(buildError({ traceID: 'a', traceId: 'b' }).param).toBe('x-portkey-trace-id');
    expect(buildError({ Authorization: 'a', authorization: 'b' }).param).toBe('authorization');
  });

  it.each<[string, RequestHeaderOptions, string]>([
    ['CR/LF in a string', { traceId: 'a\r\nx-evil: 1' }, 'x-portkey-trace-id'],
    ['NUL in a string', { virtualKey: 'a\u0000b' }, 'x-portkey-virtual-key'],
    ['a non-Latin-1 string', { cacheNamespace: '团队' }, 'x-portkey-cache-namespace'],
    ['a non-Latin-1 generic option', { customThing: 'ok ✓' }, 'x-portkey-custom-thing'],
    ['CR/LF in authorization', { Authorization: 'Bearer a\nb' }, 'authorization'],
    ['an over-long value', { traceId: 'x'.repeat(32 * 1024 + 1) }, 'x-portkey-trace-id'],
    ['a negative timeout', { requestTimeout: -1 }, 'x-portkey-request-timeout'],
    ['a NaN timeout', { requestTimeout: Number.NaN }, 'x-portkey-request-timeout'],
    ['a timeout in exponent form', { requestTimeout: 1e21 }, 'x-portkey-request-timeout'],
    ['a non-numeric timeout', { requestTimeout: '30s' as unknown as number }, 'x-portkey-request-timeout'],
    ['a timeout of 0', { requestTimeout: 0 }, 'x-portkey-request-timeout'],
    ['a fractional timeout', { requestTimeout: 1500.5 }, 'x-portkey-request-timeout'],
    ['a timeout of 2^31 ms (Node timers overflow)', { requestTimeout: 2 ** 31 }, 'x-portkey-request-timeout'],
    ['a timeout above 24 h', { requestTimeout: 86_400_001 }, 'x-portkey-request-timeout'],
    ['a non-boolean flag', { debug: 'yes' as unknown as boolean }, 'x-portkey-debug'],
    [
      'metadata that is an array',
      { metadata: [1] as unknown as Record<string, unknown> },
      'x-portkey-metadata',
    ],
    ['metadata over 2 KiB', { metadata: { note: 'x'.repeat(2100) } }, 'x-portkey-metadata'],
    [
      'metadata with over 64 keys',
      { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) },
      'x-portkey-metadata',
    ],
    ['a config JSON string that is not JSON', { config: '{"retry":' }, 'x-portkey-config'],
    ['a config that cannot be JSON', { config: { override_params: { big: 1n } } }, 'x-portkey-config'],
    ['a forward header name with a space', { forwardHeaders: ['x a'] }, 'x-portkey-forward-headers'],
    [
      'forwarding the forward-headers header',
      { forwardHeaders: ['X-Portkey-Forward-Headers'] },
      'x-portkey-forward-headers',
    ],
    [
      'guardrails that are not an array',
      { defaultInputGuardrails: { a: 1 } as unknown as unknown[] },
      'x-portkey-default-input-guardrails',
    ],
    ['a function', { customThing: () => 1 }, 'x-portkey-custom-thing'],
    ['an option whose name is not a header name', { 'bad name': 'v' }, 'x-portkey-bad name'],
    ['an option with a non-ASCII name', { naïve: 'v' }, 'x-portkey-naïve'],
  ])('refuses %s, naming the header', (_case, options, header) => {
    const error = buildError(options);
    expect(error.code).toBe('PK_ERR_INVALID_HEADER');
    expect(error.status).toBe(400);
    expect(error.param).toBe(header);
    expect(error.message.startsWith(`${header}: `)).toBe(true);
  });
});
