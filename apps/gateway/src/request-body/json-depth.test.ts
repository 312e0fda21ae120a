import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

const deeperThan = (text: string, depth = 3) => jsonNestsDeeperThan(Buffer.from(text), depth);

describe('jsonNestsDeeperThan', () => {
  it('counts arrays and objects outside strings', () => {
    expect(deeperThan('{"a":[{"b":1}]}')).toBe(false);
    expect(deeperThan('{"a":[{"b":[1]}]}')).toBe(true);
    expect(deeperThan('[[[]],[[]],[[]]]')).toBe(false);
  });

  it('skips brackets and escaped quotes inside strings', () => {
    expect(deeperThan('{"a":"[[[[[[{{{{"}')).toBe(false);
    expect(deeperThan('{"a":"say \\"[[[[\\" \\\\","b":"[[[["}')).toBe(false);
    expect(deeperThan('{"a\\\\":[[["x"]]]}')).toBe(true);
  });

  it('leaves malformed JSON to the parser', () => {
    expect(deeperThan('{"a":"never closed [[[[')).toBe(false);
  });

  it('finds 100,000 nested arrays, and lets a deep but plausible tool schema through', () => {
    expect(
      jsonNestsDeeperThan(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), MAX_JSON_DEPTH),
    ).toBe(true);
    let schema: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 30; level += 1) schema = { type: 'object', properties: { child: schema } };
    const body = JSON.stringify({ model: 'm', messages: [], tools: [{ function: { parameters: schema } }] });
    expect(jsonNestsDeeperThan(Buffer.from(body), MAX_JSON_DEPTH)).toBe(false);
  });
});
