import type { DialectEndpoint } from '../spec/provider-adapter.js';
import { anthropicMessagesDialect } from './anthropic-messages/index.js';
import type { ClientDialect } from './client-dialect.js';
import { openAIResponsesDialect } from './openai-responses/index.js';

/** The client dialects by endpoint (`messages.count_tokens` belongs to the Messages dialect). */
export const CLIENT_DIALECTS = {
  messages: anthropicMessagesDialect,
  responses: openAIResponsesDialect,
} as const satisfies Record<Exclude<DialectEndpoint, 'messages.count_tokens'>, ClientDialect>;

/** The dialect of a dialect endpoint. */
export function clientDialectOf(endpoint: DialectEndpoint): ClientDialect {
  return CLIENT_DIALECTS[endpoint === 'messages.count_tokens' ? 'messages' : endpoint];
}
