import type { HookResults } from '@pk/guardrails';
import { describe, expect, it } from 'vitest';
import denied from './__fixtures__/hook-results-denied.json' with { type: 'json' };
import { loggedCheckData, loggedHookResultsOf, MAX_CHECK_TEXT } from './guardrail-results.js';

const results = denied as unknown as HookResults;

describe('the guardrail results a log record keeps', () => {
  it('keeps every hook’s id, place, verdict, time and which one denied, with its checks’ ids, verdicts and times', () => {
    const logged = loggedHookResultsOf(results);
    expect(logged?.map((hook) => [hook.id, hook.event, hook.type, hook.verdict, hook.deny])).toEqual([
      ['pg-no-ssn-05dc11', 'before_request', 'guardrail', false, true],
      ['input_mutator_27a42405', 'before_request', 'mutator', true, false],
      ['output-length', 'after_request', 'guardrail', true, false],
    ]);
    expect(logged?.[0]).toMatchObject({ execution_time: 13, created_at: '2026-12-06T13:00:00.000Z' });
    expect(logged?.[0]?.checks.map((check) => [check.id, check.verdict, check.execution_time])).toEqual([
      ['default.regexMatch', false, 1],
      ['default.webhook', true, 12],
    ]);
    expect(logged?.[0]?.checks[1]?.error).toBe('Webhook error: fetch failed');
    expect(logged?.[2]).toMatchObject({ skipped: true, checks: [] });
  });

  it('keeps what a check found or redacted (explanation, counts, flags), never the text it matched', () => {
    const logged = loggedHookResultsOf(results);
    expect(logged?.[1]?.checks[0]).toMatchObject({
      transformed: true,
      data: { explanation: 'Redacted PII: ssn (1).', detected: { ssn: 1 }, redacted: true },
    });
    expect(logged?.[0]?.checks[0]?.data).toEqual({
      not: true,
      verdict: false,
      explanation: "The regex pattern '\\d{3}-\\d{2}-\\d{4}' matched the text when it should not have.",
    });
    const text = JSON.stringify(logged);
    expect(text).not.toContain('078-05-1120');
    expect(text).not.toContain('please file my taxes');
    // A webhook's URL may carry its token.
    expect(text).not.toContain('sk-webhook-token');
  });

  it('cuts a long explanation, and has nothing for data that is not an object', () => {
    const long = loggedCheckData({ explanation: 'x'.repeat(MAX_CHECK_TEXT * 2) });
    expect(String(long?.explanation)).toHaveLength(MAX_CHECK_TEXT);
    expect(loggedCheckData(null)).toBeUndefined();
    expect(loggedCheckData('Found 078-05-1120')).toBeUndefined();
    expect(loggedCheckData({ textExcerpt: 'secret' })).toBeUndefined();
  });

  it('is nothing when no hook ran', () => {
    expect(loggedHookResultsOf(undefined)).toBeUndefined();
    expect(loggedHookResultsOf({ before_request_hooks: [], after_request_hooks: [] })).toBeUndefined();
  });
});
