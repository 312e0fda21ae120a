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
    const text = '{"retry":{"attempts":9}}';
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
});
