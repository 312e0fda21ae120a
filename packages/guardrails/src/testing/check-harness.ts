import { lookupCheck } from '../checks/registry.js';
import type { CheckDefinition, CheckOutcome, HookOrigin } from '../model/check-definition.js';
import type { HookContext, HookEvent, RequestType } from '../model/hook-context.js';
import type { GuardrailServices } from '../network/guardrail-transport.js';

/** A chat request whose last user message is `text`. */
export function chatRequest(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra };
}

/** A chat answer whose first choice says `text`. */
export function chatAnswer(text: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  };
}

/** A hook context for a check test. */
export function contextOf(options: {
  request?: Record<string, unknown>;
  response?: Record<string, unknown> | null;
  requestType?: RequestType;
  metadata?: Record<string, unknown>;
  headers?: Record<string, string>;
}): HookContext {
  return {
    requestType: options.requestType ?? 'chatComplete',
    provider: 'openai',
    metadata: options.metadata ?? {},
    request: { json: options.request ?? chatRequest('hello'), isStreamingRequest: false },
    ...(options.response === undefined ? {} : { response: { json: options.response, statusCode: 200 } }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  };
}

/** Services with a fixed clock and no network unless given. */
export function testServices(extra: Partial<GuardrailServices> = {}): GuardrailServices {
  return { now: () => 1_700_000_000_000, ...extra };
}

/** The definition behind a check id (throws for an unknown id). */
export function definitionOf(id: string): CheckDefinition<unknown> {
  const found = lookupCheck(id);
  if (found.kind !== 'check') throw new Error(`no check ${id}`);
  return found.definition as CheckDefinition<unknown>;
}

/** Compiles a check's parameters and runs it once. */
export async function runCheckOnce(
  id: string,
  parameters: Record<string, unknown>,
  context: HookContext,
  event: HookEvent = context.response === undefined ? 'beforeRequestHook' : 'afterRequestHook',
  services: GuardrailServices = testServices(),
  origin: HookOrigin = 'config',
): Promise<CheckOutcome> {
  const definition = definitionOf(id);
  const compiled = definition.compile(parameters, origin, {});
  if (!compiled.ok) throw new Error(`parameters refused: ${JSON.stringify(compiled.issues)}`);
  return definition.run({ context, parameters: compiled.parameters, event, services });
}

/** The issues compiling `parameters` gives (empty when they are accepted). */
export function parameterIssues(
  id: string,
  parameters: Record<string, unknown>,
  origin: HookOrigin = 'config',
) {
  const compiled = definitionOf(id).compile(parameters, origin, {});
  return compiled.ok ? [] : compiled.issues;
}
