import { describe, expect, it } from 'vitest';
import {
  type ConditionContext,
  evaluateCondition,
  MAX_REGEX_SUBJECT_LENGTH,
  matchConditions,
  readContextPath,
} from './conditions.js';

const context: ConditionContext = {
  metadata: { user_plan: 'paid', tier: '3', user: { tier: 'gold', tags: ['a', 'b'] }, app_name: 'my_app_v2' },
  params: {
    model: 'gpt-4o',
    temperature: 0.9,
    max_tokens: 1200,
    stream: false,
    messages: [{ role: 'system', content: 'x' }],
  },
  url: { pathname: '/v1/chat/completions' },
};

describe('readContextPath', () => {
  it('reads dotted paths of any depth, array indexes included', () => {
    expect(readContextPath(context, 'metadata.user.tier')).toBe('gold');
    expect(readContextPath(context, 'params.messages.0.role')).toBe('system');
    expect(readContextPath(context, 'url.pathname')).toBe('/v1/chat/completions');
    expect(readContextPath(context, 'metadata.missing.deeper')).toBeUndefined();
  });

  it('never follows inherited properties', () => {
    expect(readContextPath(context, 'metadata.__proto__')).toBeUndefined();
    expect(readContextPath(context, 'metadata.constructor')).toBeUndefined();
    expect(readContextPath(context, 'params.model.length')).toBeUndefined();
  });
});

describe('evaluateCondition', () => {
  it.each([
    [{ 'metadata.user_plan': 'paid' }, true],
    [{ 'metadata.user_plan': 'free' }, false],
    [{ 'metadata.user_plan': { $eq: 'paid' } }, true],
    [{ 'metadata.user_plan': { $ne: 'paid' } }, false],
    [{ 'params.temperature': { $gt: 0.7 } }, true],
    [{ 'params.temperature': { $gt: '0.95' } }, false],
    [{ 'metadata.tier': { $gte: 3 } }, true],
    [{ 'metadata.tier': { $lt: 3 } }, false],
    [{ 'params.max_tokens': { $lte: 1200 } }, true],
    [{ 'params.missing': { $gt: 1 } }, false],
    [{ 'params.model': { $in: ['gpt-4o', 'gpt-4o-mini'] } }, true],
    [{ 'params.model': { $nin: ['gpt-4o'] } }, false],
    [{ 'metadata.app_name': { $regex: '^my_app' } }, true],
    [{ 'metadata.app_name': { $regex: 'other' } }, false],
    [{ 'params.max_tokens': { $regex: '^12' } }, true],
    [{ 'metadata.missing': { $regex: '.*' } }, false],
    [{ 'metadata.user.tier': 'gold', 'params.messages.0.role': 'system' }, true],
    [{ 'metadata.user.tier': 'gold', 'params.model': 'other' }, false],
    [{ $and: [{ 'metadata.user_plan': 'paid' }, { 'params.stream': false }] }, true],
    [{ $and: [{ 'metadata.user_plan': 'paid' }, { 'params.stream': true }] }, false],
    [{ $or: [{ 'metadata.user_plan': 'free' }, { 'params.temperature': { $gte: 0.9 } }] }, true],
    [{ $or: [{ 'metadata.user_plan': 'free' }, { 'url.pathname': '/v1/embeddings' }] }, false],
    [
      {
        $or: [
          { $and: [{ 'metadata.user_plan': 'paid' }, { 'params.model': 'gpt-4o' }] },
          { 'params.max_tokens': { $gt: 5000 } },
        ],
      },
      true,
    ],
    [{ 'params.temperature': { $gt: 0.5, $lt: 0.8 } }, false],
    [{}, true],
  ])('%j → %s', (query, expected) => {
    expect(evaluateCondition(query, context)).toBe(expected);
  });

  it('evaluates every key, also after $regex, $and and $or (unlike Portkey, which stops there)', () => {
    expect(
      evaluateCondition({ $or: [{ 'metadata.user_plan': 'paid' }], 'params.model': 'other' }, context),
    ).toBe(false);
    expect(evaluateCondition({ 'metadata.app_name': { $regex: 'my', $eq: 'nope' } }, context)).toBe(false);
  });

  it('runs $regex on the whole value up to 4 KiB; a longer value never matches (it is never cut)', () => {
    const text = (value: string) => ({ metadata: { text: value } });
    const matches = (pattern: string, value: string) =>
      evaluateCondition({ 'metadata.text': { $regex: pattern } }, text(value));
    expect(matches('needle$', `${'a'.repeat(MAX_REGEX_SUBJECT_LENGTH - 6)}needle`)).toBe(true);
    expect(matches('^a+$', 'a'.repeat(MAX_REGEX_SUBJECT_LENGTH))).toBe(true);
    // Cut to 4 KiB, the first would match and the second would not: over-long values match nothing.
    expect(matches('^[a-z ]+$', `${'a'.repeat(MAX_REGEX_SUBJECT_LENGTH)} <script>`)).toBe(false);
    expect(matches('PAID', `${'x'.repeat(MAX_REGEX_SUBJECT_LENGTH)}PAID`)).toBe(false);
    expect(matches('', 'a'.repeat(MAX_REGEX_SUBJECT_LENGTH + 1))).toBe(false);
  });

  it('spends nothing on an over-long value, however hostile the pattern', () => {
    const huge = { metadata: { text: 'a'.repeat(8 * 1024 * 1024) } };
    const started = performance.now();
    expect(evaluateCondition({ 'metadata.text': { $regex: '(.*a){20}' } }, huge)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('runs $regex in linear time, even a pattern the static backtracking check lets through', () => {
    // `^(a|aa)+$` passes safe-regex2 but takes exponential time in a backtracking engine.
    const hostile = { metadata: { text: `${'a'.repeat(4000)}!` } };
    const started = performance.now();
    expect(evaluateCondition({ 'metadata.text': { $regex: '^(a|aa)+$' } }, hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('$regex reads JavaScript’s \\uXXXX escapes, as Portkey’s RegExp does', () => {
    const names = { metadata: { name: 'café', text: '你好', emoji: 'ok 😀' } };
    expect(evaluateCondition({ 'metadata.name': { $regex: '^caf\\u00e9$' } }, names)).toBe(true);
    expect(evaluateCondition({ 'metadata.text': { $regex: '[\\u4e00-\\u9fff]' } }, names)).toBe(true);
    expect(evaluateCondition({ 'metadata.name': { $regex: '[\\u4e00-\\u9fff]' } }, names)).toBe(false);
    expect(evaluateCondition({ 'metadata.emoji': { $regex: '\\uD83D\\uDE00' } }, names)).toBe(true);
  });

  it('does not match on unknown operators or malformed operands (parseConfig rejects them first)', () => {
    expect(evaluateCondition({ 'metadata.user_plan': { $like: 'p%' } }, context)).toBe(false);
    expect(evaluateCondition({ 'params.model': { $in: 'gpt-4o' } }, context)).toBe(false);
    expect(evaluateCondition({ 'params.model': { $regex: '(' } }, context)).toBe(false);
    expect(evaluateCondition({ $and: 'x' }, context)).toBe(false);
  });

  it('treats an absent context part as empty', () => {
    expect(evaluateCondition({ 'metadata.user_plan': 'paid' }, {})).toBe(false);
    expect(evaluateCondition({ 'metadata.user_plan': { $ne: 'paid' } }, {})).toBe(true);
  });
});

describe('matchConditions', () => {
  const strategy = {
    conditions: [
      { query: { 'metadata.user_plan': { $eq: 'free' } }, then: 'base' },
      { query: { 'params.temperature': { $gte: 0.7 } }, then: 'creative' },
      { query: { 'metadata.user_plan': 'paid' }, then: 'finetuned' },
    ],
    default: 'base',
  };

  it('returns the first match', () => {
    expect(matchConditions(strategy, context)).toBe('creative');
  });

  it('falls back to default, or undefined without one', () => {
    expect(matchConditions(strategy, { metadata: { user_plan: 'trial' } })).toBe('base');
    expect(
      matchConditions({ conditions: strategy.conditions }, { metadata: { user_plan: 'trial' } }),
    ).toBeUndefined();
  });
});
