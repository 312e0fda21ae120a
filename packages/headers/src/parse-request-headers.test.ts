import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  errorCodeOfHeaderProblem,
  type HeaderProblemReason,
  headerProblemToError,
} from './header-problem.js';
import { parseRequestHeaders } from './parse-request-headers.js';

describe('parseRequestHeaders', () => {
  it('types and normalises every kind of value', () => {
    const { options, problems, unrecognized } = parseRequestHeaders({
      'x-portkey-api-key': 'pk',
      'x-portkey-config': ' {"retry":{"attempts":3}} ',
      'x-portkey-metadata': '{"_user":"u","n":7,"nested":{"a":1}}',
      'x-portkey-forward-headers': 'X-A, x-b,,',
      'x-portkey-request-timeout': '3000',
      'x-portkey-cache-ttl': '12.5',
      'x-portkey-debug': 'FALSE',
      'x-portkey-strict-open-ai-compliance': 'true',
      'x-portkey-default-input-guardrails': '[{"default.contains":{"operator":"none","words":["x"]}}]',
      'x-portkey-vertex-service-account-json': '{"type":"service_account"}',
      'x-portkey-trace-id': '',
    });
    expect(problems).toEqual([]);
    expect(unrecognized).toEqual([]);
    expect(options).toEqual({
      apiKey: 'pk',
      config: { retry: { attempts: 3 } },
      metadata: { _user: 'u', n: 7, nested: { a: 1 } },
      forwardHeaders: ['X-A', 'x-b'],
      requestTimeout: 3000,
      cacheTtl: 12.5,
      debug: false,
      strictOpenAiCompliance: true,
      defaultInputGuardrails: [{ 'default.contains': { operator: 'none', words: ['x'] } }],
      vertexServiceAccountJson: { type: 'service_account' },
    });
  });

  it('reads Portkey’s legacy x-portkey-cache: simple, semantic, true (simple), false (none), any case', () => {
    const modeOf = (value: string) => parseRequestHeaders({ 'x-portkey-cache': value }).options.cache;
    expect(['simple', 'SEMANTIC', 'true', 'True', 'false'].map(modeOf)).toEqual([
      'simple',
      'semantic',
      'simple',
      'simple',
      false,
    ]);
  });

  it('reads a config that does not start with { as a saved config id', () => {
    expect(parseRequestHeaders({ 'x-portkey-config': 'pc-abc-123' }).options.config).toBe('pc-abc-123');
    expect(parseRequestHeaders({ 'x-portkey-config': '42-fast' }).options.config).toBe('42-fast');
  });

  it('refuses a config that is JSON but not an object as an invalid config, never repeating it', () => {
    const secret = 'sk-live-0123456789';
    const [problem] = parseRequestHeaders({
      'x-portkey-config': JSON.stringify([{ provider: 'openai', api_key: secret }]),
    }).problems;
    expect(problem?.message).toBe(
      "x-portkey-config: expected a JSON object or a saved config's id, got JSON that is an array",
    );
    expect(problem && errorCodeOfHeaderProblem(problem)).toBe('PK_ERR_INVALID_CONFIG');
    expect(problem && headerProblemToError(problem).code).toBe('PK_ERR_INVALID_CONFIG');
  });

  it('accepts Headers, node records with arrays, and [name, value] pairs; names in any case', () => {
    const pairs: [string, string][] = [
      ['X-Portkey-Trace-Id', 't'],
      ['X-PORTKEY-FORWARD-HEADERS', 'a'],
      ['x-portkey-forward-headers', 'b,c'],
    ];
    const expected = { traceId: 't', forwardHeaders: ['a', 'b', 'c'] };
    expect(parseRequestHeaders(pairs).options).toEqual(expected);
    expect(parseRequestHeaders(new Headers(pairs)).options).toEqual(expected);
    expect(parseRequestHeaders(new Map(pairs)).options).toEqual(expected);
    const record = { 'x-portkey-trace-id': 't', 'x-portkey-forward-headers': ['a', 'b,c'], other: undefined };
    expect(parseRequestHeaders(record).options).toEqual(expected);
  });

  it("takes Node's IncomingHttpHeaders as they are", () => {
    const headers: IncomingHttpHeaders = {
      'x-portkey-provider': 'openai',
      'set-cookie': ['a=1'],
      accept: undefined,
    };
    expect(parseRequestHeaders(headers).options).toEqual({ provider: 'openai' });
  });

  it('lists unknown x-portkey-* names without treating them as problems', () => {
    const parsed = parseRequestHeaders([
      ['x-portkey-some-thing', 'v'],
      ['X-Portkey-Some-Thing', 'w'],
      ['x-portkey-num-thing', ''],
      ['x-other', 'ignored'],
    ]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.unrecognized).toEqual(['x-portkey-some-thing', 'x-portkey-num-thing']);
    expect(parsed.options).toEqual({});
  });

  it('reports the un-prefixed headers the gateway reads', () => {
    const parsed = parseRequestHeaders({
      authorization: 'Bearer sk-1',
      'x-api-key': 'sk-2',
      'api-key': 'sk-3',
      'anthropic-beta': 'b1',
      'anthropic-version': '2023-06-01',
      'openai-beta': 'assistants=v2',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'user-agent': 'node',
    });
    expect(parsed.options).toEqual({ Authorization: 'Bearer sk-1' });
    expect(parsed.unprefixed).toEqual({
      'x-api-key': 'sk-2',
      'api-key': 'sk-3',
      'anthropic-beta': 'b1',
      'anthropic-version': '2023-06-01',
      'openai-beta': 'assistants=v2',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(parsed.providerKey).toEqual({ key: 'sk-1', header: 'authorization' });
  });

  it('takes the provider key from authorization, then x-api-key, then api-key', () => {
    expect(parseRequestHeaders({ 'x-api-key': 'a', 'api-key': 'b' }).providerKey).toEqual({
      key: 'a',
      header: 'x-api-key',
    });
    expect(parseRequestHeaders({ 'api-key': 'b' }).providerKey).toEqual({ key: 'b', header: 'api-key' });
    expect(parseRequestHeaders({ authorization: 'sk-raw' }).providerKey).toEqual({
      key: 'sk-raw',
      header: 'authorization',
    });
    expect(parseRequestHeaders({}).providerKey).toBeUndefined();
  });

  it('never takes the gateway key or the SDK placeholder for a provider key', () => {
    const wrapped = parseRequestHeaders({ 'x-portkey-api-key': 'pk-1', authorization: 'Bearer pk-1' });
    expect(wrapped.providerKey).toBeUndefined();
    expect(wrapped.options.Authorization).toBe('Bearer pk-1');
    expect(parseRequestHeaders({ authorization: 'Bearer DUMMY-KEY' }).providerKey).toBeUndefined();
    expect(
      parseRequestHeaders({ 'x-portkey-api-key': 'pk-1', authorization: 'Bearer pk-1', 'x-api-key': 'sk' })
        .providerKey,
    ).toEqual({ key: 'sk', header: 'x-api-key' });
  });

  it('joins repeated list headers and refuses a repeated header with a different value', () => {
    const parsed = parseRequestHeaders([
      ['anthropic-beta', 'a'],
      ['anthropic-beta', 'b'],
      ['x-portkey-trace-id', 't'],
      ['x-portkey-trace-id', 't'],
      ['x-portkey-virtual-key', 'one'],
      ['x-portkey-virtual-key', 'two'],
      ['authorization', 'k1'],
      ['authorization', 'k2'],
    ]);
    expect(parsed.unprefixed['anthropic-beta']).toBe('a, b');
    expect(parsed.options).toEqual({ traceId: 't' });
    expect(parsed.problems.map((problem) => [problem.header, problem.reason])).toEqual([
      ['x-portkey-virtual-key', 'conflicting-values'],
      ['authorization', 'conflicting-values'],
    ]);
  });

  it.each<[string, string, string, HeaderProblemReason]>([
    ['CR/LF', 'x-portkey-trace-id', 'a\r\nb', 'invalid-characters'],
    ['a lone LF', 'x-portkey-virtual-key', 'a\nb', 'invalid-characters'],
    ['NUL', 'x-portkey-provider', 'a\u0000', 'invalid-characters'],
    ['a control character', 'x-portkey-provider', 'a\u0007', 'invalid-characters'],
    ['non-Latin-1 text', 'x-portkey-cache-namespace', '团队', 'invalid-characters'],
    ['CR/LF in authorization', 'authorization', 'Bearer a\r\nb', 'invalid-characters'],
    ['an over-long value', 'x-portkey-trace-id', 'x'.repeat(32 * 1024 + 1), 'too-long'],
    ['an over-long config', 'x-portkey-config', `{"a":"${'x'.repeat(32 * 1024)}"}`, 'too-long'],
    ['bad JSON in a config', 'x-portkey-config', '{"retry":', 'invalid-json'],
    ['bad JSON in metadata', 'x-portkey-metadata', '{_user:1}', 'invalid-json'],
    ['metadata that is not an object', 'x-portkey-metadata', '[1,2]', 'not-an-object'],
    ['metadata that is a string', 'x-portkey-metadata', '"u"', 'not-an-object'],
    ['metadata over 2 KiB', 'x-portkey-metadata', `{"a":"${'x'.repeat(2100)}"}`, 'metadata-too-large'],
    [
      'metadata with over 64 keys',
      'x-portkey-metadata',
      JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1]))),
      'metadata-too-many-keys',
    ],
    ['a service account that is not JSON', 'x-portkey-vertex-service-account-json', 'nope', 'invalid-json'],
    ['guardrails that are not an array', 'x-portkey-default-output-guardrails', '{}', 'not-an-array'],
    ['a non-numeric timeout', 'x-portkey-request-timeout', '30s', 'invalid-number'],
    ['a negative timeout', 'x-portkey-request-timeout', '-1', 'invalid-number'],
    ['a timeout in exponent form', 'x-portkey-request-timeout', '1e3', 'invalid-number'],
    ['a hex timeout', 'x-portkey-request-timeout', '0x10', 'invalid-number'],
    ['a timeout of 0', 'x-portkey-request-timeout', '0', 'invalid-number'],
    ['a fractional timeout', 'x-portkey-request-timeout', '1500.5', 'invalid-number'],
    ['a timeout of 2^31 ms', 'x-portkey-request-timeout', '2147483648', 'invalid-number'],
    ['a timeout above 24 h', 'x-portkey-request-timeout', '86400001', 'invalid-number'],
    ['a config that is a JSON array', 'x-portkey-config', '[{"virtual_key":"vk"}]', 'not-an-object'],
    ['a config that is a string in quotes', 'x-portkey-config', '"pc-abc"', 'not-an-object'],
    ['a config that is a number', 'x-portkey-config', '42', 'not-an-object'],
    ['a config that is a negative number', 'x-portkey-config', '-1.5e3', 'not-an-object'],
    ['a config that is true', 'x-portkey-config', 'true', 'not-an-object'],
    ['a config that is null', 'x-portkey-config', 'null', 'not-an-object'],
    ['a config array that is not JSON', 'x-portkey-config', '[{"virtual_key":', 'invalid-json'],
    ['a bad boolean', 'x-portkey-cache-force-refresh', 'yes', 'invalid-boolean'],
    ['a cache mode Portkey does not have', 'x-portkey-cache', 'exact', 'invalid-value'],
    ['a bad forward header name', 'x-portkey-forward-headers', 'x-a,x b', 'invalid-list'],
    [
      'forwarding the forward-headers header',
      'x-portkey-forward-headers',
      'X-Portkey-Forward-Headers',
      'invalid-list',
    ],
  ])('refuses %s, naming the header', (_case, header, value, reason) => {
    const parsed = parseRequestHeaders([[header, value]]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ header, reason });
    expect(parsed.problems[0]?.message.startsWith(`${header}: `)).toBe(true);
    expect(parsed.options).toEqual({});
  });

  it('reads UTF-8 sent as it is inside JSON (Node gives it as Latin-1) as UTF-8, and Latin-1 that is not UTF-8 as it came', () => {
    const asNodeReadsIt = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const parsed = parseRequestHeaders({
      'x-portkey-metadata': asNodeReadsIt('{"_user":"José","team":"日本","mood":"🙂"}'),
      'x-portkey-config': asNodeReadsIt('{"provider":"openai","override_params":{"user":"Zoë"}}'),
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.options.metadata).toEqual({ _user: 'José', team: '日本', mood: '🙂' });
    expect(parsed.options.config).toEqual({ provider: 'openai', override_params: { user: 'Zoë' } });
    // The official SDK sends Latin-1 as it is: a lone 0xE9 byte is é, not UTF-8, so kept as it came.
    const latin1 = parseRequestHeaders({ 'x-portkey-metadata': '{"_user":"Jos\u00e9"}' });
    expect(latin1.options.metadata).toEqual({ _user: 'José' });
    // A plain string is not guessed at: its bytes are its characters.
    const plain = parseRequestHeaders({ 'x-portkey-span-name': asNodeReadsIt('é') });
    expect(plain.options.spanName).toBe('\u00c3\u00a9');
  });

  it('does not repeat the refused value in the problem message', () => {
    const [problem] = parseRequestHeaders({ 'x-portkey-metadata': '{"secret":' }).problems;
    expect(problem?.message).toBe('x-portkey-metadata: not valid JSON');
  });
});
