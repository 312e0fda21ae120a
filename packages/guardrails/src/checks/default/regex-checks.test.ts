import { describe, expect, it } from 'vitest';
import {
  chatAnswer,
  chatRequest,
  contextOf,
  parameterIssues,
  runCheckOnce,
} from '../../testing/check-harness.js';

// Verdicts as Portkey's plugins/default/regexMatch.ts and regexReplace.ts decide them.
describe('default.regexMatch', () => {
  it.each([
    ['a match passes', { rule: 'capital of \\w+' }, 'What is the capital of France?', true],
    ['no match fails', { rule: '\\d{4}' }, 'no digits here', false],
    ['not: a match fails', { rule: 'password', not: true }, 'my password is hunter2', false],
    ['not: no match passes', { rule: 'password', not: true }, 'nothing to see', true],
    ['case-insensitive inline flag', { rule: '(?i)SECRET' }, 'a secret plan', true],
    ['reads the last message only', { rule: 'first' }, 'second', false],
  ])('%s', async (_name, parameters, text, verdict) => {
    const request = chatRequest(text, {
      messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: text },
      ],
    });
    const outcome = await runCheckOnce('default.regexMatch', parameters, contextOf({ request }));
    expect(outcome.verdict).toBe(verdict);
    expect(outcome.error).toBeUndefined();
  });

  it('reports the match with groups, on the answer after the request', async () => {
    const outcome = await runCheckOnce(
      'default.regexMatch',
      { rule: '(?P<city>Paris) is (\\w+)' },
      contextOf({ response: chatAnswer('Paris is lovely') }),
    );
    expect(outcome.data).toMatchObject({
      verdict: true,
      matchDetails: {
        matchedText: 'Paris is lovely',
        index: 0,
        groups: { city: 'Paris' },
        captures: ['Paris', 'lovely'],
      },
      textExcerpt: 'Paris is lovely',
    });
  });

  it('errors (fail open) on an empty text', async () => {
    const outcome = await runCheckOnce(
      'default.regexMatch',
      { rule: 'x' },
      contextOf({ request: chatRequest('') }),
    );
    expect(outcome).toMatchObject({ verdict: false, error: { message: 'Missing text to match' } });
  });

  it.each([
    [{ rule: '(a)\\1' }, 'rule'],
    [{ rule: '(?=x)' }, 'rule'],
    [{ rule: '[' }, 'rule'],
    [{}, 'rule'],
    [{ rule: 12 }, 'rule'],
    [{ rule: 'x', not: 'yes' }, 'not'],
  ])('refuses %j at parse time', (parameters, path) => {
    expect(parameterIssues('default.regexMatch', parameters)[0]?.path).toEqual([path]);
  });
});

describe('default.regexReplace', () => {
  it.each([
    [
      'replaces every match with g',
      { rule: '/\\d{3}-\\d{4}/g' },
      'call 555-1234 or 555-9876',
      'call [REDACTED] or [REDACTED]',
      true,
    ],
    [
      'replaces the first without g',
      { rule: '\\d{3}-\\d{4}' },
      'call 555-1234 or 555-9876',
      'call [REDACTED] or 555-9876',
      true,
    ],
    [
      'uses redactText and flags',
      { rule: '/secret/gi', redactText: '***' },
      'Secret and SECRET',
      '*** and ***',
      true,
    ],
    ['no match leaves the text', { rule: 'zzz' }, 'nothing', undefined, true],
  ])('%s', async (_name, parameters, text, expected, verdict) => {
    const outcome = await runCheckOnce(
      'default.regexReplace',
      parameters,
      contextOf({ request: chatRequest(text) }),
    );
    expect(outcome.verdict).toBe(verdict);
    const messages = outcome.transformedRequest?.messages as { content: string }[] | undefined;
    expect(messages?.at(-1)?.content).toBe(expected);
  });

  it('fails with failOnDetection, still rewriting', async () => {
    const outcome = await runCheckOnce(
      'default.regexReplace',
      { rule: 'secret', failOnDetection: true },
      contextOf({ response: chatAnswer('a secret') }),
    );
    expect(outcome.verdict).toBe(false);
    expect(outcome.transformedResponse).toMatchObject({
      choices: [{ message: { content: 'a [REDACTED]' } }],
    });
  });

  it('refuses bad flags and lookaround', () => {
    expect(parameterIssues('default.regexReplace', { rule: '/x/q' })).toHaveLength(1);
    expect(parameterIssues('default.regexReplace', { rule: '(?<=a)b' })).toHaveLength(1);
  });
});
