import { describe, expect, it } from 'vitest';
import { chatAnswer, contextOf, parameterIssues, runCheckOnce } from '../../testing/check-harness.js';

type Row = readonly [string, string, Record<string, unknown>, string, boolean, boolean];

// [check, case, parameters, answer text, verdict, errored] with Portkey's verdicts.
const rows: readonly (readonly [string, string, Record<string, unknown>, string, boolean, boolean?])[] = [
  ['default.sentenceCount', 'in range', { minSentences: 1, maxSentences: 3 }, 'One. Two!', true],
  ['default.sentenceCount', 'too many', { minSentences: 1, maxSentences: 1 }, 'One. Two. Three?', false],
  [
    'default.sentenceCount',
    'not: outside passes',
    { minSentences: 5, maxSentences: 9, not: true },
    'One.',
    true,
  ],
  ['default.sentenceCount', 'defaults 0..99999', {}, 'One.', true],
  ['default.sentenceCount', 'empty is 0 sentences', { minSentences: 1, maxSentences: 3 }, '', false],
  ['default.wordCount', 'in range', { minWords: 2, maxWords: 5 }, 'three little words', true],
  ['default.wordCount', 'too few', { minWords: 5, maxWords: 10 }, 'too short', false],
  ['default.wordCount', 'not: inside fails', { minWords: 1, maxWords: 10, not: true }, 'a b c', false],
  ['default.wordCount', 'blank text errors', { minWords: 1, maxWords: 10 }, '   ', false, true],
  ['default.characterCount', 'in range', { minCharacters: 1, maxCharacters: 10 }, 'hello', true],
  ['default.characterCount', 'too long', { minCharacters: 1, maxCharacters: 3 }, 'hello', false],
  ['default.characterCount', 'empty errors', { maxCharacters: 3 }, '', false, true],
  [
    'default.contains',
    'any: one found',
    { words: ['Paris', 'Rome'], operator: 'any' },
    'Paris is nice',
    true,
  ],
  ['default.contains', 'any: none found', { words: ['Rome'], operator: 'any' }, 'Paris is nice', false],
  [
    'default.contains',
    'all: one missing',
    { words: ['Paris', 'Rome'], operator: 'all' },
    'Paris is nice',
    false,
  ],
  [
    'default.contains',
    'all: all found',
    { words: ['Paris', 'nice'], operator: 'all' },
    'Paris is nice',
    true,
  ],
  ['default.contains', 'none: found fails', { words: ['Paris'], operator: 'none' }, 'Paris is nice', false],
  ['default.contains', 'case-sensitive', { words: ['paris'], operator: 'none' }, 'Paris is nice', true],
  ['default.alluppercase', 'upper', {}, 'HELLO, WORLD 42', true],
  ['default.alluppercase', 'mixed', {}, 'Hello', false],
  ['default.alluppercase', 'not: mixed passes', { not: true }, 'Hello', true],
  ['default.alluppercase', 'no letters counts as upper', {}, '1234 !!', true],
  ['default.alllowercase', 'lower', {}, 'hello world', true],
  ['default.alllowercase', 'mixed', {}, 'hello World', false],
  ['default.alllowercase', 'empty errors', {}, '', false, true],
  ['default.endsWith', 'ends with', { suffix: 'Thanks' }, 'Hope this helps. Thanks', true],
  ['default.endsWith', 'with a period', { suffix: 'Thanks' }, 'Hope this helps. Thanks.', true],
  ['default.endsWith', 'does not', { suffix: 'Thanks' }, 'Thanks, bye', false],
  ['default.endsWith', 'not: ends fails', { suffix: 'bye', not: true }, 'Thanks, bye', false],
  ['default.notNull', 'content', {}, 'hello', true],
  ['default.notNull', 'blank', {}, '   ', false],
  ['default.notNull', 'not: blank passes', { not: true }, '', true],
  ['default.containsCode', 'python block', { format: 'Python' }, 'Here:\n```py\nprint(1)\n```', true],
  ['default.containsCode', 'other language', { format: 'SQL' }, '```js\nx()\n```', false],
  ['default.containsCode', 'no blocks', { format: 'SQL' }, 'plain text', false],
  ['default.containsCode', 'not: no blocks passes', { format: 'SQL', not: true }, 'plain text', true],
  ['default.jsonKeys', 'any', { keys: ['a', 'z'], operator: 'any' }, 'x {"a": 1} y', true],
  ['default.jsonKeys', 'all missing one', { keys: ['a', 'b'], operator: 'all' }, '{"a": 1}', false],
  ['default.jsonKeys', 'none', { keys: ['secret'], operator: 'none' }, '```json\n{"a": 1}\n```', true],
  ['default.jsonKeys', 'no JSON', { keys: ['a'], operator: 'any' }, 'no json here', false],
  [
    'default.jsonSchema',
    'valid',
    { schema: { type: 'object', required: ['name'] } },
    'Sure: {"name": "x"}',
    true,
  ],
  [
    'default.jsonSchema',
    'invalid',
    { schema: { type: 'object', required: ['age'] } },
    '{"name": "x"}',
    false,
  ],
  [
    'default.jsonSchema',
    'not: invalid passes',
    { schema: { required: ['age'] }, not: true },
    '{"name": "x"}',
    true,
  ],
  [
    'default.jsonSchema',
    'code block preferred',
    { schema: { required: ['b'] } },
    '{"a":1} ```json\n{"b":2}\n```',
    true,
  ],
  ['default.jsonSchema', 'no JSON fails', { schema: { type: 'object' } }, 'nothing', false],
  [
    'default.jsonSchema',
    'pattern runs on RE2',
    { schema: { properties: { id: { pattern: '^[a-z]+$' } } } },
    '{"id":"ab1"}',
    false,
  ],
];

describe('text checks on the answer (Portkey verdicts)', () => {
  it.each<Row>(rows.map((row): Row => [row[0], row[1], row[2], row[3], row[4], row[5] ?? false]))(
    '%s %s',
    async (id, _name, parameters, text, verdict, errored) => {
      const outcome = await runCheckOnce(id, parameters, contextOf({ response: chatAnswer(text) }));
      expect(outcome.verdict).toBe(verdict);
      expect(outcome.error !== undefined).toBe(errored);
    },
  );
});

// [check, parameters, answer text, data]: the `data` Portkey's own check writes for the same input.
const portkeyData: readonly (readonly [string, Record<string, unknown>, string, Record<string, unknown>])[] =
  [
    [
      'default.sentenceCount',
      { minSentences: 1, maxSentences: 2 },
      'One. Two?',
      {
        sentenceCount: 2,
        minCount: 1,
        maxCount: 2,
        not: false,
        verdict: true,
        explanation: 'The sentence count (2) is within the specified range of 1 to 2.',
        textExcerpt: 'One. Two?',
      },
    ],
    [
      'default.sentenceCount',
      { minSentences: 3, maxSentences: 5, not: true },
      'One.',
      {
        sentenceCount: 1,
        minCount: 3,
        maxCount: 5,
        not: true,
        verdict: true,
        explanation: 'The sentence count (1) is outside the specified range of 3 to 5 as expected.',
        textExcerpt: 'One.',
      },
    ],
    [
      'default.sentenceCount',
      {},
      '',
      {
        sentenceCount: 0,
        minCount: 0,
        maxCount: 99999,
        not: false,
        verdict: true,
        explanation: 'The sentence count (0) is within the specified range of 0 to 99999.',
        textExcerpt: '',
      },
    ],
    [
      'default.wordCount',
      { minWords: 1, maxWords: 2 },
      'three little words',
      {
        wordCount: 3,
        minWords: 1,
        maxWords: 2,
        not: false,
        verdict: false,
        explanation: 'The text contains 3 words, which is outside the specified range of 1-2 words.',
        textExcerpt: 'three little words',
      },
    ],
    [
      'default.wordCount',
      { minWords: 1, maxWords: 3, not: true },
      'three little words',
      {
        wordCount: 3,
        minWords: 1,
        maxWords: 3,
        not: true,
        verdict: false,
        explanation:
          'The text contains 3 words, which is within the specified range of 1-3 words when it should not be.',
        textExcerpt: 'three little words',
      },
    ],
    [
      'default.wordCount',
      { minWords: 1, maxWords: 2 },
      '',
      {
        explanation: 'An error occurred while processing word count: Missing text to analyze',
        minWords: 1,
        maxWords: 2,
        not: false,
        textExcerpt: 'No text available',
      },
    ],
    [
      'default.wordCount',
      { minWords: 1, maxWords: 2 },
      '   ',
      {
        explanation: 'An error occurred while processing word count: Missing text to analyze',
        minWords: 1,
        maxWords: 2,
        not: false,
        textExcerpt: '   ',
      },
    ],
    [
      'default.characterCount',
      { minCharacters: 1, maxCharacters: 5 },
      '',
      {
        explanation: 'An error occurred while counting characters: Missing text to analyze',
        minCharacters: 1,
        maxCharacters: 5,
        not: false,
        textExcerpt: 'No text available',
      },
    ],
  ];

describe('count checks’ data, as Portkey writes it', () => {
  it.each(portkeyData)('%s %j on %j', async (id, parameters, text, data) => {
    const outcome = await runCheckOnce(id, parameters, contextOf({ response: chatAnswer(text) }));
    expect(outcome.data).toEqual(data);
  });
});

describe('parameters refused at parse time', () => {
  it.each([
    ['default.jsonSchema', { schema: 'not a schema' }, ['schema']],
    ['default.jsonSchema', { schema: { type: 12 } }, ['schema']],
    ['default.jsonSchema', { schema: { properties: { a: { pattern: '(?=x)' } } } }, ['schema']],
    ['default.jsonKeys', { keys: [], operator: 'any' }, ['keys']],
    ['default.jsonKeys', { keys: ['a'], operator: 'some' }, ['operator']],
    ['default.contains', { words: 'Paris', operator: 'any' }, ['words']],
    ['default.wordCount', { minWords: '3' }, ['minWords']],
    ['default.endsWith', { suffix: '' }, ['suffix']],
    ['default.containsCode', {}, ['format']],
    ['default.alluppercase', { not: 1 }, ['not']],
  ] as const)('%s %j', (id, parameters, path) => {
    expect(parameterIssues(id, parameters)[0]?.path).toEqual(path);
  });
});
