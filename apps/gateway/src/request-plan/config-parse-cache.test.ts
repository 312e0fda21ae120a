import { describe, expect, it } from 'vitest';
import { ConfigParseCache } from './config-parse-cache.js';

describe('ConfigParseCache', () => {
  it('validates a config text once and reuses the result', () => {
    const cache = new ConfigParseCache({ trustedCustomHosts: [] });
    const text = '{"provider":"openai","api_key":"sk","retry":{"attempts":2}}';
    const first = cache.parse(text, JSON.parse(text));
    expect(first.ok).toBe(true);
    expect(cache.parse(text, JSON.parse(text))).toBe(first);
  });

  it('keeps invalid results too (a client repeating a bad config costs one validation)', () => {
    const cache = new ConfigParseCache({ trustedCustomHosts: [] });
    const text = '{"retry":{"attempts":-1}}';
    const first = cache.parse(text, JSON.parse(text));
    expect(first.ok).toBe(false);
    expect(cache.parse(text, JSON.parse(text))).toBe(first);
  });

  it('stays bounded however many distinct configs arrive', () => {
    const cache = new ConfigParseCache({ trustedCustomHosts: [], maxEntries: 16 });
    for (let index = 0; index < 1000; index += 1) {
      const text = JSON.stringify({ provider: 'openai', api_key: `sk-${index}` });
      cache.parse(text, JSON.parse(text));
    }
    expect(cache.size).toBe(16);
  });

  it('runs the validator once per text and turns its issues into a failed parse', () => {
    let calls = 0;
    const cache = new ConfigParseCache({
      trustedCustomHosts: [],
      validate: () => {
        calls += 1;
        return [{ path: 'config.input_guardrails[0]', message: 'no guardrail has the id "x"' }];
      },
    });
    const text = '{"provider":"openai","api_key":"k","input_guardrails":["x"]}';
    const result = cache.parse(text, JSON.parse(text));
    cache.parse(text, JSON.parse(text));
    expect(calls).toBe(1);
    expect(result).toMatchObject({
      ok: false,
      issues: [
        {
          path: 'config.input_guardrails[0]',
          message: 'config.input_guardrails[0]: no guardrail has the id "x"',
        },
      ],
    });
  });
});
