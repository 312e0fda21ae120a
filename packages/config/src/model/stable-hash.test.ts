import { describe, expect, it } from 'vitest';
import { canonicalJson, stableHash } from './stable-hash.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('stableHash', () => {
  it('is 16 hex digits, deterministic and content-sensitive', () => {
    expect(stableHash('')).toMatch(/^[0-9a-f]{16}$/);
    expect(stableHash('config')).toBe(stableHash('config'));
    expect(stableHash('config-a')).not.toBe(stableHash('config-b'));
  });
});
