import { type PreparedCall, prepareRequest } from '../shared/prepare-request.js';
import type { ProviderContext, ProviderRequest, ProviderTarget } from '../spec/provider-adapter.js';

/** A deterministic context for unit tests. */
export function testContext(provider: string, target: ProviderTarget, strict = true): ProviderContext {
  return {
    provider,
    target,
    strictOpenAICompliance: strict,
    nativeFinishReasons: !strict,
    generateId: () => 'chatcmpl-test',
    now: () => 1_700_000_000_000,
  };
}

/**
 * A deterministic context as `callDialect` makes for a dialect translated through chat: strict
 * compliance off (reasoning kept for the dialect), finish reasons OpenAI's (the dialect maps them),
 * with the adapters' stop details.
 */
export function dialectTestContext(provider: string, target: ProviderTarget): ProviderContext {
  return { ...testContext(provider, target, false), nativeFinishReasons: false, stopDetails: true };
}

/** A chat request prepared as `callProvider` would. */
export function preparedChat(
  provider: string,
  body: Record<string, unknown>,
  target: ProviderTarget = {},
): PreparedCall {
  const request: ProviderRequest = { endpoint: 'chat.completions', body };
  return prepareRequest({ request, provider, target });
}
