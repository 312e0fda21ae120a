import { describe, expect, it } from 'vitest';
import { chatRequest, contextOf, parameterIssues, runCheckOnce } from '../../testing/check-harness.js';

describe('default.allowedRequestTypes', () => {
  it.each([
    ['allowed', { allowedTypes: ['chatComplete'] }, {}, true],
    ['not allowed', { allowedTypes: ['embed'] }, {}, false],
    ['comma list', { allowedTypes: 'embed, chatComplete' }, {}, true],
    ['blocked', { blockedTypes: ['chatComplete'] }, {}, false],
    ['not blocked', { blockedTypes: ['embed'] }, {}, true],
    [
      'blocked wins in combined',
      { allowedTypes: ['chatComplete', 'embed'], blockedTypes: ['complete'] },
      {},
      true,
    ],
    ['metadata supported_endpoints', {}, { supported_endpoints: 'embed' }, false],
    ['parameters beat metadata', { allowedTypes: ['chatComplete'] }, { supported_endpoints: 'embed' }, true],
    ['metadata blocked_endpoints', {}, { blocked_endpoints: ['chatComplete'] }, false],
    ['unrestricted', {}, {}, true],
  ])('%s', async (_name, parameters, metadata, verdict) => {
    const outcome = await runCheckOnce('default.allowedRequestTypes', parameters, contextOf({ metadata }));
    expect(outcome.verdict).toBe(verdict);
  });

  it('errors on a type both allowed and blocked', async () => {
    const outcome = await runCheckOnce(
      'default.allowedRequestTypes',
      { allowedTypes: ['chatComplete'], blockedTypes: ['chatComplete'] },
      contextOf({}),
    );
    expect(outcome.error?.message).toContain('Conflict detected');
  });
});

describe('default.modelWhitelist and default.modelRules', () => {
  it.each([
    ['default.modelWhitelist', { models: ['gpt-4o-mini'] }, {}, true],
    ['default.modelWhitelist', { models: ['gpt-4o'] }, {}, false],
    ['default.modelWhitelist', { models: ['gpt-4o-mini'], not: true }, {}, false],
    ['default.modelRules', { rules: { defaults: ['gpt-4o-mini'] } }, {}, true],
    ['default.modelRules', { rules: { defaults: ['gpt-4o'] } }, {}, false],
    [
      'default.modelRules',
      { rules: { defaults: ['x'], metadata: { tier: { free: ['gpt-4o-mini'] } } } },
      { tier: 'free' },
      true,
    ],
    [
      'default.modelRules',
      { rules: { defaults: ['gpt-4o-mini'], metadata: { tier: { pro: ['gpt-4o'] } } } },
      { tier: 'pro' },
      false,
    ],
    ['default.modelRules', { rules: { defaults: ['gpt-4o-mini'] }, not: true }, {}, false],
  ])('%s %j %j', async (id, parameters, metadata, verdict) => {
    expect((await runCheckOnce(id, parameters, contextOf({ metadata }))).verdict).toBe(verdict);
  });

  it('errors when the request names no model', async () => {
    const outcome = await runCheckOnce(
      'default.modelWhitelist',
      { models: ['x'] },
      contextOf({ request: { messages: [] } }),
    );
    expect(outcome.error?.message).toBe('Missing model in request');
  });
});

describe('default.requiredMetadataKeys', () => {
  it.each([
    [{ metadataKeys: ['user', 'team'], operator: 'all' }, { user: 'a', team: 'b' }, true],
    [{ metadataKeys: ['user', 'team'], operator: 'all' }, { user: 'a' }, false],
    [{ metadataKeys: ['user', 'team'], operator: 'any' }, { team: 'b' }, true],
    [{ metadataKeys: ['user'], operator: 'any' }, {}, false],
    [{ metadataKeys: ['debug'], operator: 'none' }, { user: 'a' }, true],
    [{ metadataKeys: ['debug'], operator: 'none' }, { debug: '1' }, false],
  ])('%j with %j', async (parameters, metadata, verdict) => {
    expect(
      (await runCheckOnce('default.requiredMetadataKeys', parameters, contextOf({ metadata }))).verdict,
    ).toBe(verdict);
  });
});

describe('default.addPrefix', () => {
  const messages = (outcome: { transformedRequest?: Readonly<Record<string, unknown>> }) =>
    outcome.transformedRequest?.messages as { role: string; content: unknown }[];

  it('prefixes the user message', async () => {
    const outcome = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'Be brief. ' },
      contextOf({ request: chatRequest('Hi') }),
    );
    expect(outcome.verdict).toBe(true);
    expect(messages(outcome)).toEqual([{ role: 'user', content: 'Be brief. Hi' }]);
  });

  it('adds a system message at the front when there is none', async () => {
    const outcome = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'You are terse.', applyToRole: 'system' },
      contextOf({ request: chatRequest('Hi') }),
    );
    expect(messages(outcome)[0]).toEqual({ role: 'system', content: 'You are terse.' });
  });

  it('inserts a new message with addToExisting false, and respects onlyIfEmpty', async () => {
    const inserted = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'P', addToExisting: false },
      contextOf({ request: chatRequest('Hi') }),
    );
    expect(messages(inserted)).toEqual([
      { role: 'user', content: 'P' },
      { role: 'user', content: 'Hi' },
    ]);
    const untouched = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'P', onlyIfEmpty: true },
      contextOf({ request: chatRequest('Hi') }),
    );
    expect(messages(untouched)).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('prefixes a text part and a completion prompt', async () => {
    const parts = await runCheckOnce(
      'default.addPrefix',
      { prefix: '> ' },
      contextOf({ request: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] } }),
    );
    expect(messages(parts)[0]?.content).toEqual([{ type: 'text', text: '> Hi' }]);
    const prompt = await runCheckOnce(
      'default.addPrefix',
      { prefix: '> ' },
      contextOf({ request: { prompt: 'Hi' }, requestType: 'complete' }),
    );
    expect(prompt.transformedRequest?.prompt).toBe('> Hi');
  });

  it('refuses a missing prefix and an unknown role', () => {
    expect(parameterIssues('default.addPrefix', {})[0]?.path).toEqual(['prefix']);
    expect(parameterIssues('default.addPrefix', { prefix: 'x', applyToRole: 'tool' })[0]?.path).toEqual([
      'applyToRole',
    ]);
  });
});
