import { describe, expect, it } from 'vitest';
import { isTokenFresh } from './token-cache.js';

const MARGIN = 5 * 60_000;

describe('isTokenFresh', () => {
  it('renews a long-lived token 5 minutes before it expires', () => {
    const token = { token: 't', obtainedAt: 0, expiresAt: 3_600_000 };
    expect(isTokenFresh(token, 3_600_000 - MARGIN - 1, MARGIN)).toBe(true);
    expect(isTokenFresh(token, 3_600_000 - MARGIN, MARGIN)).toBe(false);
  });

  it('renews a token issued for less than 20 minutes when a quarter of its lifetime is left', () => {
    const token = { token: 't', obtainedAt: 0, expiresAt: 240_000 };
    expect(isTokenFresh(token, 0, MARGIN)).toBe(true);
    expect(isTokenFresh(token, 179_999, MARGIN)).toBe(true);
    expect(isTokenFresh(token, 180_000, MARGIN)).toBe(false);
  });

  it('gives a token without its issue time the whole margin, and never reuses an expired one', () => {
    expect(isTokenFresh({ token: 't', expiresAt: 240_000 }, 0, MARGIN)).toBe(false);
    expect(isTokenFresh({ token: 't', obtainedAt: 0, expiresAt: 0 }, 0, MARGIN)).toBe(false);
    expect(isTokenFresh({ token: 't', obtainedAt: 10, expiresAt: 0 }, 0, MARGIN)).toBe(false);
  });
});
