import type { HookResult } from '@pk/guardrails';
import { describe, expect, it } from 'vitest';
import { hookFeedbackInputs, recordHookFeedback } from './hook-feedback.js';

const owner = { tenant: 'acme', traceId: 'trace-1', gatewayKeyId: 'k-1' };
const checks = { successfulChecks: '', failedChecks: 'default.contains', erroredChecks: '' };

function hook(id: string, feedback: HookResult['feedback']): HookResult {
  return {
    verdict: false,
    id,
    transformed: false,
    checks: [],
    feedback,
    execution_time: 1,
    async: false,
    type: 'guardrail',
    created_at: new Date(0).toISOString(),
    deny: false,
  };
}

describe('hooks’ feedback as POST /v1/feedback takes it', () => {
  it('one piece per hook whose feedback has a value (0 included), on the owner’s trace', () => {
    expect(
      hookFeedbackInputs(
        [
          hook('rated', { value: -4, weight: 0.5, metadata: { ...checks, team: 'safety' } }),
          hook('neutral', { value: 0, metadata: checks }),
          hook('weight-only', { weight: 1, metadata: checks }),
          hook('none', null),
        ],
        owner,
      ),
    ).toEqual([
      {
        traceId: 'trace-1',
        value: -4,
        weight: 0.5,
        metadata: { ...checks, team: 'safety' },
        tenant: 'acme',
        gatewayKeyId: 'k-1',
      },
      { traceId: 'trace-1', value: 0, metadata: checks, tenant: 'acme', gatewayKeyId: 'k-1' },
    ]);
  });

  it('a piece the store refuses is told, and the others are still recorded', () => {
    const recorded: number[] = [];
    const warnings: string[] = [];
    recordHookFeedback(
      (input) => {
        if (input.value === 1) throw new Error('traceId: too long');
        recorded.push(input.value);
      },
      [hook('a', { value: 1, metadata: checks }), hook('b', { value: 2, metadata: checks })],
      owner,
      (message) => warnings.push(message),
    );
    expect(recorded).toEqual([2]);
    expect(warnings).toEqual(["a hook's feedback on trace trace-1 was not saved: traceId: too long"]);
  });
});
