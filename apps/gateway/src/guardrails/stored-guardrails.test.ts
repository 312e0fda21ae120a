import { describe, expect, it } from 'vitest';
import { secretResolverFor } from './stored-guardrails.js';

describe('secretResolverFor', () => {
  it('takes a trailing newline off an env: secret, as off a file: one (a Kubernetes secret made from a file)', () => {
    const resolve = secretResolverFor({ PK_HOOK_SECRET: 'whsec-probe\n', PK_EMPTY: '' });
    expect(resolve('env:PK_HOOK_SECRET')).toBe('whsec-probe');
    expect(resolve('env:PK_EMPTY')).toBeUndefined();
    expect(resolve('env:PK_UNSET')).toBeUndefined();
  });
});
