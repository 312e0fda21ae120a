import { describe, expect, it } from 'vitest';
import { questionSignatureOf } from './question-signature.js';
import { semanticQueryOf } from './semantic-request.js';

const same = (left: string, right: string) => questionSignatureOf(left) === questionSignatureOf(right);

describe('questionSignatureOf', () => {
  it('tells a question from its opposite (vllm-project/semantic-router#2691)', () => {
    expect(same('Turn on the living room light', 'Turn off the living room light')).toBe(false);
    expect(same('Enable two-factor login', 'Disable two-factor login')).toBe(false);
    expect(same('Should I increase the dose?', 'Should I decrease the dose?')).toBe(false);
    expect(same('Sort the rows ascending', 'Sort the rows descending')).toBe(false);
    expect(same('Scale the cluster up', 'Scale the cluster down')).toBe(false);
    expect(same('Show me the first row', 'Show me the last row')).toBe(false);
    expect(same('Make it more formal', 'Make it less formal')).toBe(false);
    expect(same('Is it safe to eat?', 'Is it unsafe to eat?')).toBe(false);
  });

  it('tells a question from its negation, however it is written', () => {
    expect(same('Turn on the light', "Don't turn on the light")).toBe(false);
    expect(same('Turn on the light', 'Don’t turn on the light')).toBe(false);
    expect(same('Is the bridge open?', 'Is the bridge not open?')).toBe(false);
    expect(same('Cats that eat fish', 'Cats that never eat fish')).toBe(false);
    expect(same('Do not turn on the light', "Don't turn on the light")).toBe(true);
  });

  it('tells numbers apart, and their order', () => {
    expect(same('What is 12 times 7?', 'What is 12 times 8?')).toBe(false);
    expect(same('Subtract 3 from 10', 'Subtract 10 from 3')).toBe(false);
    expect(same('Revenue in 2023', 'Revenue in 2024')).toBe(false);
    expect(same('Costs 1,500.25 dollars', 'Costs 1,500.26 dollars')).toBe(false);
  });

  it('keeps rephrasings that ask the same together (inflections included)', () => {
    expect(same('Turn on the living room light', 'Please turn on the living room light')).toBe(true);
    expect(same('Switch the lamp on', 'Could you turn the lamp on?')).toBe(true);
    expect(same('Is the feature enabled?', 'Did they enable the feature?')).toBe(true);
    expect(same('What is the capital of France?', "Tell me France's capital")).toBe(true);
    expect(same('Stopped at 5', 'It stops at 5')).toBe(true);
    // Everyday prepositions are not polar words by themselves.
    expect(
      same('What is your refund policy for opened items?', 'What’s your refund policy on opened items?'),
    ).toBe(true);
  });

  it('is part of the semantic scope: opposite questions never share a scope', () => {
    const scopeOf = (text: string) =>
      semanticQueryOf({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] }, 'p')?.scope;
    expect(scopeOf('Turn off the light')).not.toBe(scopeOf('Turn on the light'));
    expect(scopeOf('Please turn on the light')).toBe(scopeOf('Turn on the light'));
  });
});
