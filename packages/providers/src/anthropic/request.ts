import { PkError } from '@pk/config';
import { type OpenAIChatRequest, openAIChatRequestSchema } from '../openai-format/chat-completion-request.js';
import { withCacheControl } from '../shared/cache-control.js';
import {
  unenforcedStrictSchemaWarning,
  unenforcedStrictToolWarnings,
} from '../shared/strict-schema-warning.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { claudeOnlyParameters } from './claude-parameters.js';
import { anthropicJsonTool } from './json-mode.js';
import { toAnthropicMessages } from './request-messages.js';

/** Anthropic's API base (https://docs.anthropic.com/en/api/getting-started). */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
/** The `anthropic-version` header sent unless the target sets `anthropic_version`. */
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by Anthropic; used when the client sets neither limit. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Parameters read by the translation; any other non-null parameter is dropped with a warning. */
const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'stream_options',
  'user',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'n',
  'thinking',
  'top_k',
]);

function toToolChoice(
  chat: OpenAIChatRequest,
  forcedTool: string | undefined,
): Record<string, unknown> | undefined {
  const choice = chat.tool_choice;
  const base: Record<string, unknown> | undefined =
    forcedTool !== undefined && !chat.tools?.length
      ? { type: 'tool', name: forcedTool }
      : choice === 'auto'
        ? { type: 'auto' }
        : choice === 'required'
          ? { type: 'any' }
          : choice === 'none'
            ? { type: 'none' }
            : typeof choice === 'object' && choice !== null
              ? { type: 'tool', name: choice.function.name }
              : undefined;
  if (chat.parallel_tool_calls === false && base?.type !== 'none') {
    return { ...(base ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  return base;
}

function parseChatRequest(body: Record<string, unknown>): OpenAIChatRequest {
  const parsed = openAIChatRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid chat request at '${path}': ${issue?.message ?? 'invalid'}`,
    {
      param: path || null,
    },
  );
}

/**
 * OpenAI chat request → Anthropic Messages request (pure). `n > 1` is refused (400): one answer
 * instead of several would change the meaning. `thinking` (extended thinking) and `top_k` go as they
 * came, as Portkey passes them. Parameters Anthropic lacks (`seed`,
 * `frequency_penalty`, `logit_bias` …) are dropped with a warning; `provider_options.anthropic`
 * (`thinking`, `top_k`, `metadata` …) is merged last.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function toAnthropicRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const chat = parseChatRequest(request.body);
  if (chat.n !== null && chat.n !== undefined && chat.n > 1) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `${context.provider} returns one choice per request: n > 1 is not supported`,
      {
        param: 'n',
      },
    );
  }
  const warnings: string[] = [];
  const { system, messages } = toAnthropicMessages(chat.messages, warnings, context.provider);
  const jsonTool = anthropicJsonTool(chat.response_format);
  const strictWarning = unenforcedStrictSchemaWarning(chat.response_format, context.provider);
  if (strictWarning !== undefined) warnings.push(strictWarning);
  // Anthropic's own API holds a tool's input to its schema with `strict: true`; on Vertex AI that is
  // an organisation-policy feature, off by default, so the flag is dropped there with a warning.
  const sendsStrict = context.provider === 'anthropic';
  if (!sendsStrict) warnings.push(...unenforcedStrictToolWarnings(chat.tools, context.provider));
  const tools = (chat.tools ?? []).map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
    ...(sendsStrict && tool.function.strict === true ? { strict: true } : {}),
    ...withCacheControl(tool),
  }));
  if (jsonTool) tools.push(jsonTool);
  const toolChoice = toToolChoice(chat, jsonTool?.name);
  const stop = chat.stop === null || chat.stop === undefined ? undefined : [chat.stop].flat();
  const body: Record<string, unknown> = {
    model: chat.model,
    max_tokens: chat.max_completion_tokens ?? chat.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system === undefined ? {} : { system }),
    messages,
    ...(typeof chat.temperature === 'number' ? { temperature: Math.min(chat.temperature, 1) } : {}),
    ...(typeof chat.top_p === 'number' ? { top_p: chat.top_p } : {}),
    ...(stop === undefined ? {} : { stop_sequences: stop }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(typeof chat.user === 'string' ? { metadata: { user_id: chat.user } } : {}),
    ...claudeOnlyParameters(request.body),
    ...(request.stream ? { stream: true } : {}),
  };
  if (typeof chat.temperature === 'number' && chat.temperature > 1) {
    warnings.push(`temperature above 1 is not supported by ${context.provider} and was lowered to 1`);
  }
  for (const [name, value] of Object.entries(request.body)) {
    if (!TRANSLATED.has(name) && value !== null && value !== undefined && value !== false) {
      warnings.push(`parameter '${name}' is not supported by ${context.provider} and was dropped`);
    }
  }
  Object.assign(body, request.providerOptions);
  const apiKey = readTargetString(context.target, 'api_key');
  const beta = readTargetString(context.target, 'anthropic_beta');
  return {
    upstream: {
      url: joinUrl(readTargetString(context.target, 'custom_host') ?? ANTHROPIC_BASE_URL, '/messages'),
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': readTargetString(context.target, 'anthropic_version') ?? ANTHROPIC_VERSION,
        ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
        ...(beta === undefined ? {} : { 'anthropic-beta': beta }),
      },
      body: JSON.stringify(body),
    },
    warnings,
  };
}
