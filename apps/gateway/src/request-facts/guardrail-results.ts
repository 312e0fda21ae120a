import type { CheckResult, HookResult, HookResults } from '@pk/guardrails';
import type { LogCheckResult, LogHookResult } from '@pk/store';
import type { AsyncHookOutcome } from '../guardrails/async-hook-runs.js';
import { isRecord } from '../is-record.js';

/** Characters of a check's explanation or error message a record keeps. */
export const MAX_CHECK_TEXT = 500;

const cut = (text: string): string => (text.length > MAX_CHECK_TEXT ? text.slice(0, MAX_CHECK_TEXT) : text);

/** An object of counts (`detected: { ssn: 1 }`), or undefined for one with anything but numbers. */
function countsOf(value: Record<string, unknown>): Record<string, number> | undefined {
  const counts: Record<string, number> = {};
  let any = false;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'number' || !Number.isFinite(entry)) return undefined;
    counts[key.slice(0, 64)] = entry;
    any = true;
  }
  return any ? counts : undefined;
}

/**
 * What a log record keeps of a check's `data`: its `explanation` (cut to {@link MAX_CHECK_TEXT}),
 * its numbers and flags, and objects of counts only (what `pk.pii` and `pk.secrets` found or
 * redacted, by kind). Every other string is left out: checks put the text they matched there
 * (`matchedText`, `textExcerpt` of `default.regexMatch`, a webhook's `requestContext`), and a record
 * must never hold what a guardrail redacted.
 */
export function loggedCheckData(data: unknown): Record<string, unknown> | undefined {
  if (!isRecord(data)) return undefined;
  const kept: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(data)) {
    let entry: unknown;
    if (key === 'explanation' && typeof value === 'string') entry = cut(value);
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      entry = value;
    else if (isRecord(value)) entry = countsOf(value);
    if (entry === undefined) continue;
    kept[key] = entry;
    any = true;
  }
  return any ? kept : undefined;
}

function loggedCheck(check: CheckResult): LogCheckResult {
  const data = loggedCheckData(check.data);
  return {
    id: check.id,
    verdict: check.verdict,
    execution_time: check.execution_time,
    transformed: check.transformed,
    ...(check.error === undefined ? {} : { error: cut(check.error.message) }),
    ...(data === undefined ? {} : { data }),
  };
}

function loggedHook(event: LogHookResult['event']): (hook: HookResult) => LogHookResult {
  return (hook) => ({
    id: hook.id,
    event,
    type: hook.type,
    verdict: hook.verdict,
    deny: hook.deny,
    transformed: hook.transformed,
    async: hook.async,
    ...(hook.skipped === true ? { skipped: true } : {}),
    execution_time: hook.execution_time,
    created_at: hook.created_at,
    checks: hook.checks.map(loggedCheck),
  });
}

/**
 * The hooks' results as a request's log record keeps them (the logs API's `guardrails`): every hook
 * with its checks' ids, verdicts, timings and what they found, and which hook denied; or undefined
 * when no hook ran.
 */
export function loggedHookResultsOf(results: HookResults | undefined): LogHookResult[] | undefined {
  if (results === undefined) return undefined;
  const logged = [
    ...results.before_request_hooks.map(loggedHook('before_request')),
    ...results.after_request_hooks.map(loggedHook('after_request')),
  ];
  return logged.length > 0 ? logged : undefined;
}

/**
 * A record's hooks with the `async` ones that finished added after the others (in the order they
 * finished, each `async: true` with its event and `deny: false`: it ran after the answer was sent,
 * so it denied nothing), or undefined when there are none at all.
 */
export function withAsyncHookResults(
  logged: readonly LogHookResult[] | undefined,
  finished: readonly AsyncHookOutcome[],
): LogHookResult[] | undefined {
  if (finished.length === 0) return logged === undefined ? undefined : [...logged];
  // An `async` hook ran after the answer was sent: whatever it found, it denied nothing.
  const late = finished.map(({ event, result }) => ({ ...loggedHook(event)(result), deny: false }));
  return [...(logged ?? []), ...late];
}
