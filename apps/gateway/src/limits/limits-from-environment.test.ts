import { describe, expect, it } from 'vitest';
import { StartupError } from '../server-options.js';
import { limitsFromEnvironment } from './limits-from-environment.js';

describe('limitsFromEnvironment', () => {
  it('refuses a PK_LIMITS_TIMEOUT_MS that is not a number with the memory store too', () => {
    expect(() => limitsFromEnvironment({ PK_LIMITS_TIMEOUT_MS: 'x' }, () => undefined)).toThrow(
      new StartupError('PK_LIMITS_TIMEOUT_MS must be an integer 1-60000, got "x"'),
    );
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
