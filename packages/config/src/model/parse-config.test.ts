import { describe, expect, it } from 'vitest';
import { PkError } from '../errors/error-envelope.js';
import type { Config } from '../schema/target.js';
import { INVALID_CONFIGS, VALID_CONFIGS } from './__fixtures__/fixtures.js';
import { matchConditions } from './conditions.js';
import { parseConfig, parseConfigOrThrow } from './parse-config.js';
import { resolveConfig } from './resolve-config.js';

describe('parseConfig on the valid fixtures', () => {
  it('has at least 20 configs, each with a source, including the five SDK configs and a cb_config one', () => {
    expect(VALID_CONFIGS.length).toBeGreaterThanOrEqual(20);
    for (const fixture of VALID_CONFIGS) expect(fixture.source.length).toBeGreaterThan(0);
    const sdk = VALID_CONFIGS.filter((fixture) =>
      fixture.source.startsWith('seeds/portkey-python-sdk-doc.txt'),
    );
    expect(sdk.map((fixture) => fixture.name)).toEqual([
      'sdk-fallback',
      'sdk-load-balancing',
      'sdk-retries',
      'sdk-semantic-cache',
      'sdk-production-setup',
    ]);
    expect(VALID_CONFIGS.some((fixture) => fixture.source.includes('circuit-breaker'))).toBe(true);
  });

  it.each(VALID_CONFIGS.map((fixture) => [fixture.name, fixture] as const))(
    '%s parses without issues',
    (_, fixture) => {
      const result = parseConfig(fixture.config);
      if (!result.ok) expect.fail(result.issues.map((issue) => issue.message).join('\n'));
      expect(result.warnings).toEqual([]);
      expect(result.config).toEqual(fixture.config);
    },
  );
});

describe('parseConfig on the invalid fixtures', () => {
  it('covers at least 30 configs, 12 kinds of mistake, 10 nested 3 deep', () => {
    expect(INVALID_CONFIGS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(INVALID_CONFIGS.map((fixture) => fixture.kind)).size).toBeGreaterThanOrEqual(12);
    const nested = INVALID_CONFIGS.filter((fixture) =>
      /^config\.targets\[\d+]\.targets\[\d+]\.targets\[\d+]/.test(fixture.path),
    );
    expect(nested.length).toBeGreaterThanOrEqual(10);
  });

  it.each(INVALID_CONFIGS.map((fixture) => [fixture.name, fixture] as const))(
    '%s fails at its path',
    (_, fixture) => {
      const result = parseConfig(fixture.config);
      if (result.ok) expect.fail(`expected ${fixture.name} to fail`);
      const issue = result.issues.find((candidate) => candidate.path === fixture.path);
      expect(issue, JSON.stringify(result.issues, null, 2)).toBeDefined();
      expect(issue?.message.startsWith(`${fixture.path}: expected`)).toBe(true);
      expect(issue?.message).toContain(fixture.message);
    },
  );
});

describe('spelling', () => {
  const snake = {
    strategy: {
      mode: 'fallback',
      on_status_codes: [429],
      cb_config: { failure_threshold: 2, cooldown_interval: 30000, on_all_open: 'try' },
    },
    request_timeout: 5000,
    targets: [
      {
        provider: 'openai',
        api_key: 'sk-1',
        override_params: { max_tokens: 10, response_format: { type: 'json_object' } },
        retry: { attempts: 2, use_retry_after_header: true, backoff: { initial_ms: 100, max_ms: 1000 } },
        strict_open_ai_compliance: false,
        aws_server_side_encryption_kms_key_id: 'kms',
      },
      { virtual_key: 'vk', cache: { mode: 'simple', max_age: 60 }, forward_headers: ['x-a'] },
    ],
  };
  const camel = {
    strategy: {
      mode: 'fallback',
      onStatusCodes: [429],
      cbConfig: { failureThreshold: 2, cooldownInterval: 30000, onAllOpen: 'try' },
    },
    requestTimeout: 5000,
    targets: [
      {
        provider: 'openai',
        apiKey: 'sk-1',
        overrideParams: { max_tokens: 10, response_format: { type: 'json_object' } },
        retry: { attempts: 2, useRetryAfterHeader: true, backoff: { initialMs: 100, maxMs: 1000 } },
        strictOpenAiCompliance: false,
        awsServerSideEncryptionKMSKeyId: 'kms',
      },
      { virtualKey: 'vk', cache: { mode: 'simple', maxAge: 60 }, forwardHeaders: ['x-a'] },
    ],
  };

  it('maps camelCase input to the same config as snake_case', () => {
    const fromCamel = parseConfig(camel);
    const fromSnake = parseConfig(snake);
    expect(fromCamel).toEqual(fromSnake);
    expect(fromSnake).toMatchObject({ ok: true, config: snake, warnings: [] });
  });

  it('never renames what override_params, queries, hooks and service-account JSON contain', () => {
    const input = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.userTier': { $eq: 'pro' } }, then: 'a' }],
        default: 'a',
      },
      targets: [
        {
          name: 'a',
          provider: 'vertex-ai',
          vertexServiceAccountJson: { private_key_id: 'x', clientEmail: 'y' },
          overrideParams: { maxTokens: 5, max_tokens: 6, nestedObject: { innerKey: 1 } },
          inputGuardrails: [{ 'default.wordCount': { minWords: 1 }, onFail: { feedback: { value: 1 } } }],
          beforeRequestHooks: [
            { id: 'h', checks: [{ id: 'default.regexMatch', parameters: { rule: 'x', isEnabled: true } }] },
          ],
        },
      ],
    };
    const result = parseConfig(input);
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    const [target] = result.config.targets ?? [];
    expect(target?.override_params).toEqual({ maxTokens: 5, max_tokens: 6, nestedObject: { innerKey: 1 } });
    expect(target?.vertex_service_account_json).toEqual({ private_key_id: 'x', clientEmail: 'y' });
    expect(target?.input_guardrails).toEqual(input.targets[0]?.inputGuardrails);
    expect(target?.before_request_hooks).toEqual(input.targets[0]?.beforeRequestHooks);
    expect(result.config.strategy?.conditions?.[0]?.query).toEqual({ 'metadata.userTier': { $eq: 'pro' } });
  });

  it('reports the spelling the user wrote in error paths', () => {
    const result = parseConfig({ provider: 'openai', requestTimeout: 'soon' });
    expect(result).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'config.requestTimeout',
          message:
            'config.requestTimeout: expected a whole number of milliseconds from 1 to 86400000 (24 h), got "soon"',
        },
      ],
    });
  });
});

describe('the Config type', () => {
  it('is strict snake_case: a misspelt or camelCase key is a compile error', () => {
    const good: Config = { provider: 'openai', override_params: { maxTokens: 1 }, retry: { attempts: 1 } };
    // @ts-expect-error misspelt key
    const misspelt: Config = { overide_params: {} };
    // @ts-expect-error camelCase is accepted at run time only
    const camel: Config = { apiKey: 'sk' };
    expect([good, misspelt, camel]).toHaveLength(3);
  });
});

describe('unknown keys', () => {
  it('drops them from the result and warns with their path', () => {
    const result = parseConfig({
      strategy: { mode: 'fallback', sticky: { enabled: true } },
      foo: 1,
      targets: [{ provider: 'openai', api_key: 'k', overide_params: { model: 'x' }, id: 'nested-id' }],
    });
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    expect(result.config).toEqual({
      strategy: { mode: 'fallback' },
      targets: [{ provider: 'openai', api_key: 'k' }],
    });
    expect(result.warnings).toEqual([
      { path: 'config.strategy.sticky', message: 'config.strategy.sticky: unknown key "sticky" dropped' },
      { path: 'config.foo', message: 'config.foo: unknown key "foo" dropped' },
      {
        path: 'config.targets[0].overide_params',
        message:
          'config.targets[0].overide_params: unknown key "overide_params" dropped (did you mean "override_params"?)',
      },
      {
        path: 'config.targets[0].id',
        message: 'config.targets[0].id: "id" is only read at the root of a config; dropped',
      },
    ]);
  });
});

describe('cache max_age', () => {
  it.each([[10], [0], [-5], [7_776_001]])('%d seconds becomes the 7-day default with a warning', (maxAge) => {
    const result = parseConfig({ virtual_key: 'vk', cache: { mode: 'simple', max_age: maxAge } });
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    expect(result.config.cache?.max_age).toBe(604_800);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.path).toBe('config.cache.max_age');
    expect(result.warnings[0]?.message).toContain(`got ${maxAge}; using the 7-day default 604800`);
  });

  it('keeps a value inside 60 s – 90 days', () => {
    const result = parseConfig({ virtual_key: 'vk', cache: { mode: 'simple', max_age: 60 } });
    expect(result).toMatchObject({ ok: true, config: { cache: { max_age: 60 } }, warnings: [] });
  });
});

describe('conditional groups', () => {
  it('an empty conditions list with a default is valid: Portkey’s router falls through to the default', () => {
    const config = {
      strategy: { mode: 'conditional', conditions: [], default: 'a' },
      targets: [{ virtual_key: 'vk', name: 'a' }],
    };
    expect(parseConfig(config)).toMatchObject({ ok: true, warnings: [] });
    const plan = resolveConfig(parseConfigOrThrow(config));
    if (plan.root.kind !== 'group') throw new Error('expected a group');
    expect(matchConditions(plan.root.strategy, {})).toBe('a');
  });
  it('a $regex with JavaScript’s \\uXXXX escapes (valid for Portkey’s RegExp) is valid and routes', () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.lang': { $regex: '[\\u4e00-\\u9fff]' } }, then: 'zh' }],
        default: 'other',
      },
      targets: [
        { virtual_key: 'vk', name: 'zh' },
        { virtual_key: 'vk', name: 'other' },
      ],
    };
    expect(parseConfig(config)).toMatchObject({ ok: true, warnings: [] });
    const plan = resolveConfig(parseConfigOrThrow(config));
    if (plan.root.kind !== 'group') throw new Error('expected a group');
    expect(matchConditions(plan.root.strategy, { metadata: { lang: '中文' } })).toBe('zh');
    expect(matchConditions(plan.root.strategy, { metadata: { lang: 'en' } })).toBe('other');
  });
});

describe('retry.attempts above 5', () => {
  it.each([[6], [9], [100]])(
    '%d is accepted and kept as written, with a warning that 5 are made',
    (attempts) => {
      const result = parseConfig({ virtual_key: 'vk', retry: { attempts } });
      if (!result.ok) throw new Error('expected a valid config');
      expect(result.config.retry?.attempts).toBe(attempts);
      expect(result.warnings).toEqual([
        {
          path: 'config.retry.attempts',
          message: `config.retry.attempts: at most 5 retries (the limit hosted Portkey documents), got ${attempts}; using 5`,
        },
      ]);
    },
  );

  it('is warned about where it is written, in the user’s spelling', () => {
    const result = parseConfig({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'vk', retry: { attempts: 7, onStatusCodes: [503] } }, { virtual_key: 'vk' }],
    });
    expect(result.warnings.map((warning) => warning.path)).toEqual(['config.targets[0].retry.attempts']);
  });

  it('5 gives no warning', () => {
    expect(parseConfig({ virtual_key: 'vk', retry: { attempts: 5 } })).toMatchObject({
      ok: true,
      warnings: [],
    });
  });
});

describe('other warnings', () => {
  it('flags keys that are read nowhere in their position and timeouts that look like seconds', () => {
    const result = parseConfig({
      on_status_codes: [500],
      strategy: { mode: 'loadbalance', on_status_codes: [500], default: 'a' },
      targets: [{ provider: 'openai', request_timeout: 30 }],
    });
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    expect(result.warnings.map((warning) => warning.path)).toEqual([
      'config.on_status_codes',
      'config.strategy.default',
      'config.strategy.on_status_codes',
      'config.targets[0].request_timeout',
    ]);
  });
});

describe('nesting', () => {
  const nest = (levels: number): unknown => {
    let node: unknown = { provider: 'openai', api_key: 'k' };
    for (let level = 0; level < levels; level += 1)
      node = { strategy: { mode: 'fallback' }, targets: [node] };
    return node;
  };

  it('accepts targets 10 levels deep and refuses 11', () => {
    expect(parseConfig(nest(10)).ok).toBe(true);
    expect(parseConfig(nest(11))).toMatchObject({
      ok: false,
      issues: [{ path: `config${'.targets[0]'.repeat(10)}.targets` }],
    });
  });

  it('refuses hostile nesting anywhere without overflowing the stack', () => {
    expect(parseConfig(nest(5000)).ok).toBe(false);
    let deep: unknown = 1;
    for (let level = 0; level < 20_000; level += 1) deep = { a: deep };
    expect(parseConfig({ virtual_key: 'vk', override_params: deep })).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'config',
          message: 'config: expected JSON nested at most 100 levels deep, got deeper nesting',
        },
      ],
    });
  });
});

describe('input forms', () => {
  it('accepts the JSON text of a config', () => {
    expect(parseConfig('{"virtual_key":"vk","retry":{"attempts":1}}')).toMatchObject({ ok: true });
  });

  it('rejects text that is not JSON (a saved config id must be looked up first)', () => {
    expect(parseConfig('pc-prod-fallback')).toMatchObject({ ok: false, issues: [{ path: 'config' }] });
  });

  it('rejects a non-object', () => {
    expect(parseConfig(null)).toMatchObject({
      ok: false,
      issues: [{ message: 'config: expected a target object, got null' }],
    });
  });

  it('trusts operator-listed custom hosts', () => {
    const config = { provider: 'openai', custom_host: 'http://10.1.2.3:8000/v1' };
    expect(parseConfig(config).ok).toBe(false);
    expect(parseConfig(config, { trustedCustomHosts: ['10.1.2.3'] }).ok).toBe(true);
  });

  it.each([
    'https://llm.example.com/v1?token=canary-qs-7d1e',
    'https://llm.example.com/v1#canary-qs-7d1e',
    'http://127.0.0.1:8000/v1?token=canary-qs-7d1e',
  ])(
    'refuses a custom_host with a query string or fragment (%s), naming the field, not its value',
    (host) => {
      const parsed = parseConfig({ provider: 'openai', custom_host: host });
      expect(parsed).toMatchObject({
        ok: false,
        issues: [
          { path: 'config.custom_host', message: expect.stringContaining('query string or fragment') },
        ],
      });
      expect(JSON.stringify(parsed)).not.toContain('canary');
    },
  );
});

describe('parseConfigOrThrow', () => {
  it('returns the config when valid', () => {
    expect(parseConfigOrThrow({ virtual_key: 'vk' })).toEqual({ virtual_key: 'vk' });
  });

  it('throws PK_ERR_INVALID_CONFIG listing every issue', () => {
    let caught: unknown;
    try {
      parseConfigOrThrow({ retry: { attempts: -1 }, strategy: { mode: 'x' }, targets: [] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PkError);
    const error = caught as PkError;
    expect(error.code).toBe('PK_ERR_INVALID_CONFIG');
    expect(error.status).toBe(400);
    expect(error.message).toContain('Invalid config (3 problems)');
    expect(error.message).toContain('config.retry.attempts: expected an integer of at least 0, got -1');
    expect(error.message).toContain('config.strategy.mode: expected one of');
    expect(error.message).toContain('config.targets: expected at least one target, got an empty array');
  });
});

describe('vertex_service_account_json', () => {
  const account = {
    type: 'service_account',
    client_email: 'pk@my-project-1.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
  };

  it('takes the key file as an object or as its JSON text, and reads both as the object', () => {
    for (const given of [account, JSON.stringify(account)]) {
      const result = parseConfig({ provider: 'vertex-ai', vertex_service_account_json: given });
      if (!result.ok) expect.fail(JSON.stringify(result.issues));
      expect(result.config.vertex_service_account_json).toEqual(account);
    }
  });

  it.each([
    ['a bare PEM key pasted instead of the key file', account.private_key],
    ['JSON text that is not an object', JSON.stringify([account.private_key])],
    ['a number', 42],
  ])('refuses %s, describing the value without showing it', (_, given) => {
    const result = parseConfig({ provider: 'vertex-ai', vertex_service_account_json: given });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    const [issue] = result.issues;
    expect(issue?.path).toBe('config.vertex_service_account_json');
    expect(issue?.message).toContain('expected an object (the service-account key file) or its JSON text');
    expect(issue?.message).not.toContain('PRIVATE KEY');
    expect(issue?.message).not.toContain('MIIE');
  });
});
