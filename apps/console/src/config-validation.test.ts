import { describe, expect, it } from 'vitest';
import { plainMessage, pointerToPath, validateConfigText } from './config-validation.js';

describe('the config editor’s check as you type', () => {
  it('names paths as parseConfig does', () => {
    expect(pointerToPath('#/targets/0/retry/attempts')).toBe('config.targets[0].retry.attempts');
    expect(pointerToPath('#')).toBe('config');
    expect(pointerToPath('#/a~1b')).toBe('config.a/b');
  });

  it('reports JSON syntax first', () => {
    expect(validateConfigText('{"strategy": ')[0]).toMatchObject({
      path: 'config',
      message: expect.stringContaining('not JSON'),
    });
  });

  it('reports schema problems at their path, and accepts a valid config', () => {
    const issues = validateConfigText(JSON.stringify({ targets: [{ provider: 42 }] }));
    expect(issues.some((issue) => issue.path === 'config.targets[0].provider')).toBe(true);
    expect(
      validateConfigText(
        JSON.stringify({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }] }),
      ),
    ).toEqual([]);
  });

  it('says in plain words what a value must be, once per place: no validator wording, no list of every provider id', () => {
    const issuesOf = (config: unknown) => validateConfigText(JSON.stringify(config));
    expect(issuesOf({ strategy: { mode: 'fallback' }, targets: [] })).toEqual([
      { path: 'config.targets', message: 'needs at least 1 item, has 0' },
    ]);
    expect(issuesOf({ strategy: { mode: 'fallbak' }, targets: [{ provider: 'openai' }] })).toEqual([
      {
        path: 'config.strategy.mode',
        message: 'must be "single", "fallback", "loadbalance" or "conditional"',
      },
    ]);
    expect(issuesOf({ provider: 'openai', override_params: 'x' })).toEqual([
      { path: 'config.override_params', message: 'must be an object, not a string' },
    ]);
    // The alternatives of an anyOf: one issue.
    expect(issuesOf({ targets: [{ provider: 42 }], strategy: { mode: 'single' } })).toEqual([
      { path: 'config.targets[0].provider', message: 'must be a string, not a number' },
    ]);
    expect(issuesOf({ provider: 'openai', input_guardrails: [42] })).toEqual([
      { path: 'config.input_guardrails[0]', message: 'must be a string or an object, not a number' },
    ]);
    const [provider, ...more] = issuesOf({ provider: 'nope' });
    expect(more).toEqual([]);
    expect(provider?.path).toBe('config.provider');
    expect(provider?.message).toMatch(
      /^must be a known value such as "openai", "cohere" or "anthropic" \(one of \d+\) or must match \^@/,
    );
    expect(issuesOf({ strategy: {}, targets: [{ provider: 'openai' }] })).toEqual([
      { path: 'config.strategy', message: 'needs the field "mode"' },
    ]);
    expect(
      issuesOf({ strategy: { mode: 'loadbalance' }, targets: [{ provider: 'openai', weight: -1 }] }),
    ).toEqual([{ path: 'config.targets[0].weight', message: 'must be at least 0, is -1' }]);
    for (const config of [
      { provider: 'nope' },
      { targets: [{ provider: 42 }] },
      { retry: { attempts: 'x' } },
      [],
    ]) {
      for (const issue of issuesOf(config)) {
        expect(issue.message).not.toMatch(
          /Instance|subschema|does not match schema|String does not match pattern/,
        );
        expect(issue.message.length).toBeLessThan(200);
      }
    }
  });

  it('words bounds and lengths as what the value must be', () => {
    const error = (keyword: string, text: string) => ({
      keyword,
      keywordLocation: `#/x/${keyword}`,
      instanceLocation: '#/x',
      error: text,
    });
    expect(plainMessage(error('exclusiveMinimum', '0 is less than or equal to 0.'))).toBe(
      'must be more than 0, is 0',
    );
    expect(plainMessage(error('maximum', '9 is greater than 5.'))).toBe('must be at most 5, is 9');
    expect(plainMessage(error('minLength', 'String is too short (0 < 1).'))).toBe(
      'needs at least 1 character, has 0',
    );
  });
});
