import { describe, expect, it } from 'vitest';
import {
  type LoadPartialsOptions,
  loadPartials,
  MAX_PARTIAL_DEPTH,
  MAX_PARTIALS,
  type PartialsProblem,
} from './load-partials.js';

/** A walk over `partials` (name → template) from `text`: the problem it found, else the partials read. */
async function walk(
  partials: Readonly<Record<string, string>>,
  text: string,
  options: Pick<LoadPartialsOptions, 'includedBy'> = {},
): Promise<PartialsProblem | Record<string, string>> {
  class Found extends Error {
    constructor(readonly problem: PartialsProblem) {
      super(problem.kind);
    }
  }
  try {
    return await loadPartials({
      texts: [{ text, where: 'string' }],
      resolve: async (name) => partials[name],
      refuse: (problem) => new Found(problem),
      ...options,
    });
  } catch (error) {
    if (error instanceof Found) return error.problem;
    throw error;
  }
}

/** `p0` includes `p1` … includes `p{length - 1}`, which includes nothing. */
function chainOf(length: number): Record<string, string> {
  const partials: Record<string, string> = {};
  for (let level = 0; level < length; level += 1) {
    partials[`p${level}`] = level === length - 1 ? 'end' : `{{> p${level + 1}}}`;
  }
  return partials;
}

describe('loadPartials finds partials that include each other', () => {
  it('a partial that includes itself', async () => {
    expect(await walk({ a: 'A {{> a}}' }, '{{> a}}')).toEqual({
      kind: 'cycle',
      chain: ['a', 'a'],
      where: 'partial a',
    });
  });

  it('two and three partials in a ring, in a section too, named from where the walk entered', async () => {
    expect(await walk({ a: '{{> b}}', b: 'B {{> a}}' }, 'x {{> a}}')).toMatchObject({
      kind: 'cycle',
      chain: ['a', 'b', 'a'],
    });
    const ring = { a: '{{> b}}', b: '{{#items}}{{> c}}{{/items}}', c: '{{^none}}{{> a}}{{/none}}' };
    expect(await walk(ring, '{{> b}}')).toMatchObject({ kind: 'cycle', chain: ['b', 'c', 'a', 'b'] });
  });

  it('a ring below partials that are not in it names only the way down to it', async () => {
    expect(await walk({ top: '{{> a}}', a: '{{> b}}', b: '{{> a}}' }, '{{> top}}')).toMatchObject({
      kind: 'cycle',
      chain: ['top', 'a', 'b', 'a'],
    });
  });

  it('a partial included twice, side by side or by two others (a diamond), is no ring and is read once', async () => {
    const diamond = { a: '{{> b}} {{> c}}', b: '{{> d}}', c: '{{> d}} {{> d}}', d: 'D' };
    expect(await walk(diamond, '{{> a}} {{> d}}')).toEqual(diamond);
  });

  it('a version of a partial is another name: `a` including `a@1` is no ring unless `a@1` includes itself', async () => {
    expect(await walk({ a: '{{> a@1}}', 'a@1': 'old' }, '{{> a}}')).toEqual({ a: '{{> a@1}}', 'a@1': 'old' });
    expect(await walk({ a: '{{> a@1}}', 'a@1': '{{> a@1}}' }, '{{> a}}')).toMatchObject({
      kind: 'cycle',
      chain: ['a', 'a@1', 'a@1'],
    });
  });

  it('from a partial (`includedBy`): one that includes it closes a ring through it', async () => {
    // `b` is being saved as `{{> a}}` while `a` includes `b`.
    expect(await walk({ a: '{{> b}}' }, '{{> a}}', { includedBy: 'b' })).toMatchObject({
      kind: 'cycle',
      chain: ['b', 'a', 'b'],
    });
    expect(await walk({}, 'me: {{> b}}', { includedBy: 'b' })).toMatchObject({
      kind: 'cycle',
      chain: ['b', 'b'],
    });
    expect(await walk({ a: 'A' }, '{{> a}}', { includedBy: 'b' })).toEqual({ a: 'A' });
  });

  it('the default refusal is the 400 a run answers, naming the chain', async () => {
    const refused = loadPartials({
      texts: [{ text: '{{> a}}', where: 'messages[0].content' }],
      resolve: async (name) => ({ a: '{{> b}}', b: '{{> a}}' })[name],
    });
    await expect(refused).rejects.toMatchObject({
      code: 'PK_ERR_INVALID_REQUEST',
      status: 400,
      message: "the prompt's partials include each other: a → b → a",
    });
  });
});

describe('loadPartials limits', () => {
  it(`nests ${MAX_PARTIAL_DEPTH} levels below a prompt, and one less below a partial (the partial is one)`, async () => {
    expect(Object.keys(await walk(chainOf(MAX_PARTIAL_DEPTH), '{{> p0}}'))).toHaveLength(MAX_PARTIAL_DEPTH);
    expect(await walk(chainOf(MAX_PARTIAL_DEPTH + 1), '{{> p0}}')).toMatchObject({
      kind: 'too-deep',
      chain: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'],
    });
    expect(await walk(chainOf(MAX_PARTIAL_DEPTH - 1), '{{> p0}}', { includedBy: 'top' })).not.toHaveProperty(
      'kind',
    );
    expect(await walk(chainOf(MAX_PARTIAL_DEPTH), '{{> p0}}', { includedBy: 'top' })).toMatchObject({
      kind: 'too-deep',
      chain: ['top', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'],
    });
  });

  it(`includes ${MAX_PARTIALS} partials, the partial itself counted`, async () => {
    const many = (count: number) => {
      const partials: Record<string, string> = {};
      for (let index = 0; index < count; index += 1) partials[`q${index}`] = 'q';
      return {
        partials,
        text: Object.keys(partials)
          .map((name) => `{{> ${name}}}`)
          .join(''),
      };
    };
    const enough = many(MAX_PARTIALS);
    expect(Object.keys(await walk(enough.partials, enough.text))).toHaveLength(MAX_PARTIALS);
    const tooMany = many(MAX_PARTIALS + 1);
    expect(await walk(tooMany.partials, tooMany.text)).toMatchObject({ kind: 'too-many', chain: ['q64'] });
    expect(await walk(enough.partials, enough.text, { includedBy: 'top' })).toMatchObject({
      kind: 'too-many',
      chain: ['top', 'q63'],
    });
  });

  it('a missing partial names the chain to it and the text it started from', async () => {
    expect(await walk({ a: '{{> gone}}' }, '{{> a}}')).toEqual({
      kind: 'missing',
      chain: ['a', 'gone'],
      where: 'partial a',
    });
  });
});
