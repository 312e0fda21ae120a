import { describe, expect, it } from 'vitest';
import { convertHookShorthand } from './hook-shorthand.js';

describe('convertHookShorthand (behaviour reference §7.1)', () => {
  const source = { direction: 'output', type: 'guardrail', path: 'config.output_guardrails' } as const;

  it('lifts hook keys out and turns every other key into a check, parameters kept as written', () => {
    const [hook] = convertHookShorthand(
      [
        {
          'default.contains': { operator: 'none', words: ['Apple'] },
          wordCount: { minWords: 2, is_enabled: false },
          deny: true,
          on_fail: { feedback: { value: -1 } },
        },
      ],
      source,
    );
    expect(hook).toEqual({
      type: 'guardrail',
      id: expect.stringMatching(/^output_guardrail_[0-9a-f]{8}$/),
      deny: true,
      on_fail: { feedback: { value: -1 } },
      checks: [
        { id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } },
        { id: 'default.wordCount', parameters: { minWords: 2, is_enabled: false }, is_enabled: false },
      ],
    });
  });

  it('keeps an explicit id and gives stable ids otherwise', () => {
    const entries = [{ id: 'my-guard', contains: {} }, { contains: {} }];
    const first = convertHookShorthand(entries, source);
    expect(first[0]?.id).toBe('my-guard');
    expect(convertHookShorthand(entries, source)).toEqual(first);
    expect(
      convertHookShorthand(entries, { ...source, path: 'config.targets[0].output_guardrails' })[1]?.id,
    ).not.toBe(first[1]?.id);
  });

  it('turns a saved guardrail id into a hook without checks', () => {
    expect(
      convertHookShorthand(['pg-123'], {
        direction: 'input',
        type: 'guardrail',
        path: 'config.input_guardrails',
      }),
    ).toEqual([{ type: 'guardrail', id: 'pg-123' }]);
  });

  it('marks mutators', () => {
    const [hook] = convertHookShorthand([{ 'default.regexReplace': { rule: 'x' } }], {
      direction: 'input',
      type: 'mutator',
      path: 'config.input_mutators',
    });
    expect(hook).toMatchObject({ type: 'mutator', id: expect.stringMatching(/^input_mutator_/) });
  });
});
