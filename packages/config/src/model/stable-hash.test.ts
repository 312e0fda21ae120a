import { describe, expect, it } from 'vitest';
import { canonicalJson, stableHash } from './stable-hash.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  // Cache keys in Redis are hashes of this text: it must not change from one version to the next.
  it('gives the same text as it always has, for every kind of member', () => {
    expect(
      canonicalJson({
        b: 1,
        '10': 2,
        '9': 3,
        a: [undefined, () => 1, { y: Symbol('s'), x: new Date(0) }],
        é: 'é “quoted” \u2028',
        Z: [-0, 1e21, 0.1, true, null, ''],
      }),
    ).toBe(
      '{"10":2,"9":3,"Z":[0,1e+21,0.1,true,null,""],"a":[null,null,{"x":{},"y":null}],"b":1,"é":"é “quoted” \u2028"}',
    );
  });

  it('escapes strings as JSON.stringify does', () => {
    const strings = [
      'plain',
      'a "quote"',
      'back\\slash',
      'tab\tnew\nline\u0000',
      'lone \ud800 x',
      'pair 😀',
      '\u2028\u2029',
      '',
    ];
    for (const text of strings) {
      expect(canonicalJson(text)).toBe(JSON.stringify(text));
      expect(canonicalJson({ [text]: text })).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
    }
    expect(canonicalJson([Number.NaN, Number.POSITIVE_INFINITY, -0, 1e-7])).toBe('[null,null,0,1e-7]');
  });

  it('leaves out the named members of the top-level object only', () => {
    const omitted = new Set(['stream', 'user']);
    expect(canonicalJson({ user: 'u', stream: true, model: 'm', nested: { user: 'kept' } }, omitted)).toBe(
      '{"model":"m","nested":{"user":"kept"}}',
    );
    expect(canonicalJson({ stream: true }, omitted)).toBe('{}');
  });
});

describe('stableHash', () => {
  it('is 16 hex digits, deterministic and content-sensitive', () => {
    expect(stableHash('')).toMatch(/^[0-9a-f]{16}$/);
    expect(stableHash('config')).toBe(stableHash('config'));
    expect(stableHash('config-a')).not.toBe(stableHash('config-b'));
  });
});
