import { parseConfigOrThrow } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { compileOperatorGuardrails, HookCompiler } from './hook-compiler.js';

const issuesOf = (config: Record<string, unknown>, compiler = new HookCompiler()) =>
  compiler.validateConfig(parseConfigOrThrow(config));

describe('hook validation at parse time: every problem names its path', () => {
  it.each([
    [
      'a regex that does not compile',
      { input_guardrails: [{ 'default.regexMatch': { rule: '(unclosed' } }] },
      'config.input_guardrails[0]["default.regexMatch"].rule',
    ],
    [
      'a lookaround (RE2 has none)',
      {
        targets: [
          {
            provider: 'openai',
            api_key: 'k',
            output_guardrails: [{ regexMatch: { rule: '(?!x)' }, deny: true }],
          },
        ],
        strategy: { mode: 'single' },
      },
      'config.targets[0].output_guardrails[0].regexMatch.rule',
    ],
    [
      'a JSON schema that is not one',
      {
        after_request_hooks: [
          { id: 'h', checks: [{ id: 'default.jsonSchema', parameters: { schema: { type: 'objekt' } } }] },
        ],
      },
      'config.after_request_hooks[0].checks[0].parameters.schema',
    ],
    ['an unknown guardrail id', { input_guardrails: ['pii-shield'] }, 'config.input_guardrails[0]'],
    [
      'an unknown raw reference',
      { before_request_hooks: [{ id: 'nope' }] },
      'config.before_request_hooks[0].id',
    ],
    [
      'a partner check',
      { input_guardrails: [{ 'patronus.pii': {} }] },
      'config.input_guardrails[0]["patronus.pii"]',
    ],
    [
      'an unknown check',
      { input_guardrails: [{ 'default.nope': {} }] },
      'config.input_guardrails[0]["default.nope"]',
    ],
    [
      'wrong parameter types',
      { input_guardrails: [{ wordCount: { minWords: 'three' } }] },
      'config.input_guardrails[0].wordCount.minWords',
    ],
    [
      'a webhook in a request config',
      { input_guardrails: [{ webhook: { webhookURL: 'https://relay.example.com' } }] },
      'config.input_guardrails[0].webhook.webhookURL',
    ],
    [
      'a log in default guardrails',
      { default_output_guardrails: [{ log: { logURL: 'https://x.example.com' } }] },
      'config.default_output_guardrails[0].log.logURL',
    ],
    [
      'a non-boolean deny',
      { input_guardrails: [{ contains: { words: ['x'], operator: 'any' }, deny: 'yes' }] },
      'config.input_guardrails[0].deny',
    ],
    [
      'a bad type',
      { before_request_hooks: [{ id: 'h', type: 'filter', checks: [] }] },
      'config.before_request_hooks[0].type',
    ],
  ])('%s', (_name, config, path) => {
    const issues = issuesOf(config);
    expect(issues.map((issue) => issue.path)).toContain(path);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(5);
  });

  it('accepts valid hooks and ids of the operator’s guardrails', () => {
    const operator = compileOperatorGuardrails({
      'pii-shield': { type: 'mutator', checks: [{ id: 'pk.pii', parameters: { redact: true } }] },
    });
    if (!operator.ok) throw new Error(JSON.stringify(operator.issues));
    const compiler = new HookCompiler(operator.guardrails);
    expect(
      issuesOf(
        {
          input_guardrails: [
            'pii-shield',
            { 'default.contains': { words: ['x'], operator: 'none' }, deny: true },
          ],
          before_request_hooks: [{ id: 'pii-shield' }],
          output_mutators: [{ 'pk.secrets': { redact: true } }],
        },
        compiler,
      ),
    ).toEqual([]);
  });

  it('feedback values POST /v1/feedback would refuse are refused where the hook is written', () => {
    const config = (feedback: Record<string, unknown>) => ({
      input_guardrails: [{ contains: { words: ['x'], operator: 'any' }, on_fail: { feedback } }],
    });
    for (const value of [11, -11, 2.5]) {
      expect(issuesOf(config({ value }))).toEqual([
        {
          path: 'config.input_guardrails[0].on_fail.feedback.value',
          message: 'expected an integer from -10 to 10',
        },
      ]);
    }
    // A weight outside 0…1 is 1 once saved, as Portkey's: kept, not refused.
    expect(issuesOf(config({ value: -10, weight: 5, metadata: { team: 'safety' } }))).toEqual([]);
    const stored = compileOperatorGuardrails({
      rated: {
        checks: [{ id: 'default.contains', parameters: { words: ['x'], operator: 'any' } }],
        on_success: { feedback: { value: 12 } },
      },
    });
    expect(stored.ok).toBe(false);
    if (!stored.ok)
      expect(stored.issues.map((issue) => issue.path)).toEqual([
        'guardrails.rated.on_success.feedback.value',
      ]);
  });

  it('operator guardrails: webhooks allowed, problems named under guardrails.<id>', () => {
    const result = compileOperatorGuardrails({
      ok: {
        deny: true,
        checks: [{ id: 'default.webhook', parameters: { webhookURL: 'https://policy.example.com/check' } }],
      },
      broken: { checks: [{ id: 'default.webhook', parameters: { webhookURL: 'not a url' } }] },
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map((issue) => issue.path)).toEqual([
        'guardrails.broken.checks[0].parameters.webhookURL',
      ]);
  });

  it('an operator guardrail without checks is refused for its checks, not read as a reference', () => {
    const result = compileOperatorGuardrails({ bare: { deny: true }, listless: { checks: 'none' } });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues).toEqual([
        { path: 'guardrails.bare.checks', message: 'expected a list of checks ({ id, parameters })' },
        { path: 'guardrails.listless.checks', message: 'expected a list of checks ({ id, parameters })' },
      ]);
  });
});

describe('HookCompiler.compile (request time)', () => {
  it('returns the same compiled hook for the same content and resolves references', () => {
    const operator = compileOperatorGuardrails({
      shield: { checks: [{ id: 'pk.secrets', parameters: {} }] },
    });
    if (!operator.ok) throw new Error('refused');
    const compiler = new HookCompiler(operator.guardrails);
    const raw = {
      id: 'h',
      type: 'guardrail',
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'x' } }],
    };
    expect(compiler.compile(raw)).toBe(compiler.compile({ ...raw }));
    expect(compiler.compile({ type: 'guardrail', id: 'shield' })).toBe(operator.guardrails.get('shield'));
    expect(() => compiler.compile({ id: 'missing' })).toThrow(/no guardrail has the id/);
  });
});
