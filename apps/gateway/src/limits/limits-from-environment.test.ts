import { describe, expect, it } from 'vitest';
import { StartupError } from '../server-options.js';
import { limitsFromEnvironment } from './limits-from-environment.js';

describe('limitsFromEnvironment', () => {
  it('refuses a PK_LIMITS_TIMEOUT_MS that is not a number with the memory store too', () => {
    expect(() => limitsFromEnvironment({ PK_LIMITS_TIMEOUT_MS: 'x' }, () => undefined)).toThrow(
      new StartupError('PK_LIMITS_TIMEOUT_MS must be an integer 1-60000, got "x"'),
    );
  });

  // Decision 0007: counts and milliseconds take decimal digits only, not what JavaScript's Number reads.
  it.each([
    ['PK_LIMITS_HOLD_TTL_MS', '0x10', 86_400_000],
    ['PK_LIMITS_TIMEOUT_MS', '1e3', 60_000],
    ['PK_REPLICAS', ' 2', 10_000],
    ['PK_LIMITS_DEFAULT_MAX_TOKENS', '4096.0', 10_000_000],
  ])('refuses %s=%j instead of reading it as Number would', (name, value, max) => {
    expect(() => limitsFromEnvironment({ [name]: value }, () => undefined)).toThrow(
      new StartupError(`${name} must be an integer 1-${max}, got ${JSON.stringify(value)}`),
    );
  });

  // Decision 0007: key prefixes are read exactly, and refused with surrounding whitespace (a value
  // read from a secret file ends with a newline); a quoted one (a compose env_file's) likewise. They
  // were taken as they were, the limits' keys then apart from every other replica's.
  it.each([
    [' pk:limits:', 'without {, }, whitespace or control characters (staging:limits:)'],
    ['pk:limits:\n', 'without {, }, whitespace or control characters (staging:limits:)'],
    ['a{b}', 'without {, }, whitespace or control characters (staging:limits:)'],
    [
      '"pk:limits:"',
      'is in quotes, which are never taken off (a docker compose env_file keeps them): give the prefix without them',
    ],
  ])('refuses PK_LIMITS_KEY_PREFIX=%j with either store, showing it', (value, rule) => {
    const refusal = rule.startsWith('is in quotes')
      ? `PK_LIMITS_KEY_PREFIX ${rule}, got ${JSON.stringify(value)}`
      : `PK_LIMITS_KEY_PREFIX must be a prefix ${rule}, got ${JSON.stringify(value)}`;
    for (const store of ['memory', 'redis']) {
      expect(() =>
        limitsFromEnvironment({ PK_LIMITS_STORE: store, PK_LIMITS_KEY_PREFIX: value }, () => undefined),
      ).toThrow(new StartupError(refusal));
    }
  });

  it('warns, in one line, of the Redis variables the memory store does not use', () => {
    const warnings: string[] = [];
    const limits = limitsFromEnvironment(
      { PK_LIMITS_KEY_PREFIX: 'mine:', PK_LIMITS_TIMEOUT_MS: '800' },
      () => undefined,
      (message) => warnings.push(message),
    );
    expect(limits.kind).toBe('memory');
    expect(warnings).toEqual([
      'PK_LIMITS_KEY_PREFIX and PK_LIMITS_TIMEOUT_MS are set but PK_LIMITS_STORE is memory: they apply only with PK_LIMITS_STORE=redis',
    ]);
    limitsFromEnvironment(
      {},
      () => undefined,
      (message) => warnings.push(message),
    );
    expect(warnings).toHaveLength(1);
  });
});
