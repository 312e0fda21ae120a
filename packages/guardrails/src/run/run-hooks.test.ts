import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../compile/compile-hook.js';
import type { CompiledHook } from '../compile/compiled-hook.js';
import type { HookResult } from '../model/hook-results.js';
import { chatAnswer, chatRequest, contextOf, testServices } from '../testing/check-harness.js';
import { runHooks } from './run-hooks.js';

function hook(raw: Record<string, unknown>, origin: 'config' | 'operator' = 'config'): CompiledHook {
  const result = compileRawHook(raw, {
    origin,
    segments: [],
    root: 'hook',
    guardrails: new Map(),
    defaultId: 'h',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.hook;
}

const mustNotSay = (word: string, extra: Record<string, unknown> = {}) =>
  hook({
    id: `no-${word}`,
    type: 'guardrail',
    checks: [{ id: 'default.contains', parameters: { words: [word], operator: 'none' } }],
    ...extra,
  });

describe('runHooks (Portkey semantics, behaviour reference §7.2)', () => {
  it('a failed deny hook denies; a failed plain hook only fails; results have Portkey’s shape', async () => {
    const run = await runHooks({
      hooks: [mustNotSay('Paris', { deny: true }), mustNotSay('France')],
      event: 'beforeRequestHook',
      context: contextOf({ request: chatRequest('Paris, France') }),
      services: testServices(),
    });
    expect(run.deny).toBe(true);
    expect(run.failed).toBe(true);
    expect(run.results.map((result) => [result.id, result.verdict, result.deny])).toEqual([
      ['no-Paris', false, true],
      ['no-France', false, false],
    ]);
    expect(run.results[0]).toMatchObject({
      transformed: false,
      async: false,
      type: 'guardrail',
      feedback: null,
      created_at: '2023-11-14T22:13:20.000Z',
      execution_time: 0,
      checks: [
        { id: 'default.contains', verdict: false, transformed: false, log: null, fail_on_error: false },
      ],
    });
  });

  it('an errored check passes unless fail_on_error (fail open)', async () => {
    const erroring = (failOnError: boolean) =>
      hook({
        id: 'e',
        deny: true,
        checks: [{ id: 'default.wordCount', parameters: { minWords: 1 }, fail_on_error: failOnError }],
      });
    const context = contextOf({ request: chatRequest('   ') });
    const open = await runHooks({
      hooks: [erroring(false)],
      event: 'beforeRequestHook',
      context,
      services: testServices(),
    });
    const closed = await runHooks({
      hooks: [erroring(true)],
      event: 'beforeRequestHook',
      context,
      services: testServices(),
    });
    expect([open.deny, closed.deny]).toEqual([false, true]);
    expect(open.results[0]?.checks[0]).toMatchObject({
      verdict: false,
      error: { message: 'Missing text to analyze' },
    });
    // Portkey's parameters.failOnError is read too.
    const portkeyStyle = hook({
      id: 'p',
      deny: true,
      checks: [{ id: 'default.wordCount', parameters: { minWords: 1, failOnError: true } }],
    });
    expect(
      (
        await runHooks({
          hooks: [portkeyStyle],
          event: 'beforeRequestHook',
          context,
          services: testServices(),
        })
      ).deny,
    ).toBe(true);
  });

  it('is_enabled: false leaves a check out', async () => {
    const partly = hook({
      id: 'x',
      deny: true,
      checks: [
        { id: 'default.contains', parameters: { words: ['Paris'], operator: 'none' }, is_enabled: false },
        { id: 'default.contains', parameters: { words: ['Rome'], operator: 'none' } },
      ],
    });
    const run = await runHooks({
      hooks: [partly],
      event: 'beforeRequestHook',
      context: contextOf({ request: chatRequest('Paris') }),
      services: testServices(),
    });
    expect(run.deny).toBe(false);
    expect(run.results[0]?.checks).toHaveLength(1);
  });

  it('mutators rewrite in order and later hooks see the rewrite', async () => {
    const redact = hook({
      id: 'm',
      type: 'mutator',
      checks: [{ id: 'pk.pii', parameters: { redact: true } }],
    });
    const run = await runHooks({
      hooks: [redact, mustNotSay('a@b.io', { deny: true })],
      event: 'beforeRequestHook',
      context: contextOf({ request: chatRequest('mail a@b.io') }),
      services: testServices(),
    });
    expect(run.deny).toBe(false);
    expect(run.results[0]).toMatchObject({ transformed: true, checks: [{ transformed: true }] });
    expect(run.context.request.json.messages).toEqual([{ role: 'user', content: 'mail [REDACTED_EMAIL]' }]);
  });

  it('sequential guardrail checks see each other’s rewrites', async () => {
    const sequential = hook({
      id: 's',
      sequential: true,
      checks: [
        { id: 'default.regexReplace', parameters: { rule: 'secret', redactText: 'x' } },
        { id: 'default.contains', parameters: { words: ['secret'], operator: 'none' } },
      ],
    });
    const run = await runHooks({
      hooks: [sequential],
      event: 'beforeRequestHook',
      context: contextOf({ request: chatRequest('a secret') }),
      services: testServices(),
    });
    expect(run.results[0]?.verdict).toBe(true);
  });

  it('feedback carries on_fail / on_success with the checks that decided', async () => {
    const withFeedback = hook({
      id: 'f',
      checks: [
        { id: 'default.contains', parameters: { words: ['Paris'], operator: 'none' } },
        { id: 'default.wordCount', parameters: { minWords: 1 } },
      ],
      on_fail: { feedback: { value: -10, weight: 1, metadata: { team: 'safety' } } },
      on_success: { feedback: { value: 1 } },
    });
    const run = await runHooks({
      hooks: [withFeedback],
      event: 'beforeRequestHook',
      context: contextOf({ request: chatRequest('Paris') }),
      services: testServices(),
    });
    expect(run.results[0]?.feedback).toEqual({
      value: -10,
      weight: 1,
      metadata: {
        team: 'safety',
        successfulChecks: 'default.wordCount',
        failedChecks: 'default.contains',
        erroredChecks: '',
      },
    });
  });

  it('async hooks never delay the run; their results go to onAsyncResult', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowTransport = {
      async request() {
        await gate;
        return { status: 200, headers: {}, body: '{"verdict":false}' };
      },
    };
    const asyncHook = hook(
      {
        id: 'a',
        async: true,
        checks: [{ id: 'default.webhook', parameters: { webhookURL: 'https://hook.example.com/' } }],
      },
      'operator',
    );
    const reported: HookResult[] = [];
    const started: Promise<HookResult | undefined>[] = [];
    const run = await runHooks({
      hooks: [asyncHook],
      event: 'beforeRequestHook',
      context: contextOf({}),
      services: testServices({ transport: slowTransport }),
      onAsyncResult: (result) => reported.push(result),
      onAsyncRun: (pending) => started.push(pending),
    });
    expect(run.results).toEqual([]);
    expect(run.deny).toBe(false);
    // The run was handed over before runHooks returned, still pending.
    expect(started).toHaveLength(1);
    expect(reported).toEqual([]);
    release();
    expect(await started[0]).toMatchObject({ id: 'a', async: true, verdict: false });
    expect(reported).toMatchObject([{ id: 'a', async: true, verdict: false }]);
  });

  it('skips after-request hooks on embeddings, mutators on embeddings, and non-2xx answers', async () => {
    const run = await runHooks({
      hooks: [
        mustNotSay('x'),
        hook({ id: 'm', type: 'mutator', checks: [{ id: 'pk.pii', parameters: { redact: true } }] }),
      ],
      event: 'beforeRequestHook',
      context: contextOf({ request: { input: 'x' }, requestType: 'embed' }),
      services: testServices(),
    });
    expect(run.results.map((result) => result.skipped ?? false)).toEqual([false, true]);
    const after = await runHooks({
      hooks: [mustNotSay('x')],
      event: 'afterRequestHook',
      context: {
        ...contextOf({ response: chatAnswer('x') }),
        response: { json: chatAnswer('x'), statusCode: 500 },
      },
      services: testServices(),
    });
    expect(after.results[0]?.skipped).toBe(true);
  });
});
