import { describe, expect, it } from 'vitest';
import { definitionProblem, GUARDRAIL_STARTER } from './guardrails.js';

describe('definitionProblem', () => {
  it('accepts the starter and any object with a list of checks (the gateway checks the rest)', () => {
    expect(definitionProblem(GUARDRAIL_STARTER)).toBeNull();
    expect(definitionProblem('{"checks": [], "deny": true}')).toBeNull();
  });

  it('says what is wrong with a text that cannot be a definition', () => {
    expect(definitionProblem('{"checks": [')).toMatch(/^not JSON: /);
    expect(definitionProblem('[]')).toBe('expected an object { type, checks, deny, … }');
    expect(definitionProblem('null')).toBe('expected an object { type, checks, deny, … }');
    expect(definitionProblem('{"deny": true}')).toBe('checks: expected a list of checks');
  });
});
