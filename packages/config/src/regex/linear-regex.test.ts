import { describe, expect, it } from 'vitest';
import { compileLinearRegex } from './linear-regex.js';

function compiled(source: string, flags = {}) {
  const result = compileLinearRegex(source, flags);
  if (!result.ok) throw new Error(result.reason);
  return result.regex;
}

describe('compileLinearRegex', () => {
  it('refuses what RE2 cannot run: backreferences, lookaround, broken syntax', () => {
    for (const source of ['(a)\\1', '(?=x)y', '(?<!x)y', '([a-z]', '*x']) {
      const result = compileLinearRegex(source);
      expect(result.ok, source).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
    }
  });

  it('reads JavaScript’s \\uXXXX escapes (patterns are written for RegExp); the source stays as written', () => {
    const han = compiled('[\\u4e00-\\u9fff]+');
    expect(han.source).toBe('[\\u4e00-\\u9fff]+');
    expect(han.find('say 你好 now')).toMatchObject({ start: 4, end: 6, text: '你好' });
    expect(compiled('caf\\u00e9', { caseInsensitive: true }).test('CAFÉ')).toBe(true);
    expect(compiled('\\uD83D\\uDE00').replace('a😀b', '-')).toEqual({ text: 'a-b', count: 1 });
  });

  it('finds the leftmost match with its groups, with the whole text as context', () => {
    const regex = compiled('(?P<word>\\bcat)(s?)');
    const match = regex.find('bobcat cats', 0);
    expect(match).toMatchObject({ start: 7, end: 11, text: 'cats', captures: ['cat', 's'] });
    expect(match?.groups).toEqual({ word: 'cat' });
    // From an offset inside a word, \b still sees the character before it.
    expect(compiled('\\bcat').find('bobcat', 3)).toBeUndefined();
    expect(regex.find('cat', 4)).toBeUndefined();
  });

  it('takes flags as options and inline', () => {
    expect(compiled('secret', { caseInsensitive: true }).test('A SeCrEt')).toBe(true);
    expect(compiled('(?i)secret').test('A SECRET')).toBe(true);
    expect(compiled('secret').test('A SECRET')).toBe(false);
    expect(compiled('^b', { multiline: true }).test('a\nb')).toBe(true);
    expect(compiled('a.b', { dotAll: true }).test('a\nb')).toBe(true);
  });

  it('replaces like String#replace, counting matches', () => {
    const regex = compiled('(\\d{3})-(\\d{4})');
    expect(regex.replace('call 555-1234 or 555-9876', '[$2]')).toEqual({
      text: 'call [1234] or [9876]',
      count: 2,
    });
    expect(regex.replace('call 555-1234 or 555-9876', 'X', false)).toEqual({
      text: 'call X or 555-9876',
      count: 1,
    });
    expect(regex.replace('none here', 'X')).toEqual({ text: 'none here', count: 0 });
    expect(compiled('a').replace('aba', '$$&$&')).toEqual({ text: '$&ab$&a', count: 2 });
    expect(compiled('x*').replace('ab', '-')).toEqual({ text: '-a-b-', count: 3 });
  });

  it('stays linear on a pattern that is exponential for a backtracking engine', () => {
    const regex = compiled('^(a|aa)+$');
    const text = `${'a'.repeat(50_000)}b`;
    const started = performance.now();
    expect(regex.test(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
