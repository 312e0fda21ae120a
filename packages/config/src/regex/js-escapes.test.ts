import { describe, expect, it } from 'vitest';
import { toRe2Escapes } from './js-escapes.js';

describe('toRe2Escapes', () => {
  it.each([
    ['caf\\u00e9', 'caf\\x{00e9}'],
    ['[\\u4e00-\\u9fff]', '[\\x{4e00}-\\x{9fff}]'],
    ['\\uD83D\\uDE00', '\\x{1F600}'],
    ['[\\uD83D\\uDE00-\\uD83D\\uDE4F]', '[\\x{1F600}-\\x{1F64F}]'],
    // An escaped backslash followed by the text u00e9 stays as written.
    ['\\\\u00e9', '\\\\u00e9'],
    ['\\\\\\u00e9', '\\\\\\x{00e9}'],
    // Not JavaScript's \uXXXX without the u flag: left for the engine to judge.
    ['\\u{1F600}', '\\u{1F600}'],
    ['\\u12', '\\u12'],
    ['^gpt-4(o|-turbo)?$', '^gpt-4(o|-turbo)?$'],
  ])('%s → %s', (source, expected) => {
    expect(toRe2Escapes(source)).toBe(expected);
  });
});
