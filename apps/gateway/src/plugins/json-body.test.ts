import { describe, expect, it } from 'vitest';
import { forbiddenKeyPath } from './json-body.js';

describe('forbiddenKeyPath', () => {
  it('names where a body holds a __proto__ key or constructor.prototype, in objects and lists', () => {
    expect(forbiddenKeyPath(JSON.parse('{"variables":{"__proto__":{"toString":"x"}}}'))).toBe(
      'variables.__proto__',
    );
    expect(forbiddenKeyPath(JSON.parse('{"__proto__":1}'))).toBe('__proto__');
    expect(forbiddenKeyPath(JSON.parse('{"messages":[{"a":1},{"constructor":{"prototype":{}}}]}'))).toBe(
      'messages.1.constructor.prototype',
    );
  });

  it('finds nothing in a body whose keys are only named like Object.prototype’s members', () => {
    expect(
      forbiddenKeyPath(
        JSON.parse('{"variables":{"constructor":"c","toString":"t","valueOf":{"a":1},"prototype":1}}'),
      ),
    ).toBeUndefined();
    expect(forbiddenKeyPath(JSON.parse('[1,"x",null]'))).toBeUndefined();
  });
});
