import { describe, expect, it } from 'vitest';
import { rateLimitOf, rateLimitsOfOptions, rateLimitsText } from './rate-limits.js';

describe('rate limits on the command line', () => {
  it('reads N/period as Portkey rate limits, requests and tokens, every one applying', () => {
    expect(
      rateLimitsOfOptions({ rateLimit: ['600/minute', '10/second'], tokenLimit: ['100000/day'] }),
    ).toEqual([
      { type: 'requests', unit: 'rpm', value: 600 },
      { type: 'requests', unit: 'rps', value: 10 },
      { type: 'tokens', unit: 'rpd', value: 100000 },
    ]);
    expect(rateLimitOf('0/week', 'requests', '--rate-limit')).toEqual({
      type: 'requests',
      unit: 'rpw',
      value: 0,
    });
    expect(rateLimitOf(' 5/hour ', 'tokens', '--token-limit')).toEqual({
      type: 'tokens',
      unit: 'rph',
      value: 5,
    });
    expect(rateLimitsOfOptions({})).toBeUndefined();
  });

  it('refuses anything else with a usage error (exit 2) naming the flag', () => {
    for (const text of ['600', '600/min', '1.5/minute', '-1/day', 'ten/day', '600/minute/x']) {
      expect(() => rateLimitOf(text, 'requests', '--rate-limit')).toThrow(
        expect.objectContaining({ exitCode: 2, message: expect.stringContaining('--rate-limit: expected') }),
      );
    }
  });

  it('reads them back as a sentence', () => {
    expect(
      rateLimitsText([
        { type: 'requests', unit: 'rpm', value: 600 },
        { type: 'tokens', unit: 'rpd', value: 100000 },
      ]),
    ).toBe('600 requests a minute, 100,000 tokens a day');
    expect(rateLimitsText(null)).toBe('none');
  });
});
