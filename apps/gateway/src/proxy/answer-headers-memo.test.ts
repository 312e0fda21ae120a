import { buildResponseHeaders, type CacheStatus } from '@pk/headers';
import { describe, expect, it } from 'vitest';
import { answerHeadersOf } from './answer-headers-memo.js';

describe('answerHeadersOf', () => {
  it('gives what buildResponseHeaders gives but the trace id, for each combination asked in turn', () => {
    const combinations: [string | undefined, string, number, CacheStatus][] = [
      ['openai', 'config', 0, 'DISABLED'],
      ['openai', 'config', 0, 'DISABLED'],
      ['groq', 'config.targets[1]', 2, 'MISS'],
      [undefined, 'config.targets[0]', -1, 'HIT'],
      ['openai', 'config', 0, 'DISABLED'],
      ['openai', 'config', 1, 'DISABLED'],
    ];
    for (const [provider, path, retries, cacheStatus] of combinations) {
      const { 'x-portkey-trace-id': traceId, ...expected } = buildResponseHeaders({
        traceId: 't',
        provider,
        lastUsedOptionIndex: path,
        retryAttemptCount: retries,
        cacheStatus,
      });
      expect(traceId).toBe('t');
      expect(answerHeadersOf(provider, path, retries, cacheStatus)).toEqual(expected);
    }
  });

  it('refuses what buildResponseHeaders refuses, every time', () => {
    for (let round = 0; round < 2; round += 1) {
      expect(() => answerHeadersOf('open\nai', 'config', 0, 'DISABLED')).toThrow();
      expect(() => answerHeadersOf('openai', 'config', 1.5, 'DISABLED')).toThrow();
    }
  });
});
