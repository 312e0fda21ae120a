import { describe, expect, it } from 'vitest';
import { definitionProblem, GUARDRAIL_STARTER } from './guardrails.js';

describe('definitionProblem', () => {
  it('accepts the starter and any object with a list of checks (the gateway checks the rest)', () => {
    expect(definitionProblem(GUARDRAIL_STARTER)).toBeNull();
    expect(definitionProblem('{"checks": [{"id": "default.nope"}], "deny": true}')).toBeNull();
  });

  it('refuses an empty list of checks, as the gateway does: such a guardrail never does anything', () => {
    expect(definitionProblem('{"checks": [], "deny": true}')).toBe(
      'checks: needs at least one check: a guardrail without checks never does anything',
    );
  });

  it('says what is wrong with a text that cannot be a definition', () => {
    expect(definitionProblem('{"checks": [')).toMatch(/^not JSON: /);
    expect(definitionProblem('[]')).toBe('expected an object { type, checks, deny, … }');
    expect(definitionProblem('null')).toBe('expected an object { type, checks, deny, … }');
    expect(definitionProblem('{"deny": true}')).toBe('checks: expected a list of checks');
  });
});
