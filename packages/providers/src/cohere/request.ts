import { PkError } from '@pk/config';
import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';
import {
  parseChatRequestOrThrow,
  responseJsonSchema,
  stopSequences,
  wantsJson,
  warnDroppedParameters,
} from '../shared/chat-request.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { toCohereMessages } from './request-messages.js';

/** Cohere's v2 API base (https://docs.cohere.com/reference/about). */
export const COHERE_BASE_URL = 'https://api.cohere.com/v2';

const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'response_format',
  'n',
  'logprobs',
]);

function toolsAndChoice(chat: OpenAIChatRequest): Record<string, unknown> {
  let tools = chat.tools ?? [];
  const choice = chat.tool_choice;
  let toolChoice: string | undefined;
  if (choice === 'required') toolChoice = 'REQUIRED';
  else if (choice === 'none') toolChoice = 'NONE';
  else if (typeof choice === 'object' && choice !== null) {
    // Cohere cannot name the tool to call: the named tool is the only one offered, and required.
    tools = tools.filter((tool) => tool.function.name === choice.function.name);
    toolChoice = 'REQUIRED';
  }
  return {
    ...(tools.length > 0
      ? {
          tools: tools.map((tool) => ({
            type: 'function',
            function: {
              name: tool.function.name,
              ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
              parameters: tool.function.parameters ?? { type: 'object', properties: {} },
            },
          })),
        }
      : {}),
    ...(toolChoice === undefined || tools.length === 0 ? {} : { tool_choice: toolChoice }),
  };
}

function chatBody(request: PreparedRequest, warnings: string[]): Record<string, unknown> {
  const chat = parseChatRequestOrThrow(request.body);
  if (typeof chat.n === 'number' && chat.n > 1) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'cohere returns one choice per request: n > 1 is not supported',
      {
        param: 'n',
      },
    );
  }
  const schema = responseJsonSchema(chat);
  const stop = stopSequences(chat);
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  const extra = request.body;
  const body: Record<string, unknown> = {
    model: chat.model,
    messages: toCohereMessages(chat.messages, warnings),
    ...toolsAndChoice(chat),
    ...(wantsJson(chat)
      ? { response_format: { type: 'json_object', ...(schema === undefined ? {} : { json_schema: schema }) } }
      : {}),
    ...(typeof maxTokens === 'number' ? { max_tokens: maxTokens } : {}),
    ...(typeof chat.temperature === 'number' ? { temperature: chat.temperature } : {}),
    ...(typeof chat.top_p === 'number' ? { p: chat.top_p } : {}),
    ...(stop === undefined ? {} : { stop_sequences: stop }),
    ...(typeof extra.seed === 'number' ? { seed: extra.seed } : {}),
    ...(typeof extra.frequency_penalty === 'number' ? { frequency_penalty: extra.frequency_penalty } : {}),
    ...(typeof extra.presence_penalty === 'number' ? { presence_penalty: extra.presence_penalty } : {}),
    ...(extra.logprobs === true ? { logprobs: true } : {}),
    ...(request.stream ? { stream: true } : {}),
  };
  warnDroppedParameters(request.body, TRANSLATED, 'cohere', warnings);
  return body;
}

function embedBody(request: PreparedRequest, warnings: string[]): Record<string, unknown> {
  const input = request.body.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || !texts.every((text): text is string => typeof text === 'string')) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'cohere embeddings take a string or an array of strings', {
      param: 'input',
    });
  }
  warnDroppedParameters(
    request.body,
    new Set(['model', 'input', 'dimensions', 'encoding_format']),
    'cohere',
    warnings,
  );
  return {
    model: request.body.model,
    texts,
    input_type: 'search_document',
    embedding_types: ['float'],
    ...(typeof request.body.dimensions === 'number' ? { output_dimension: request.body.dimensions } : {}),
  };
}

/**
 * OpenAI chat or embeddings request → Cohere `/v2/chat` or `/v2/embed` (pure). Chat: roles kept,
 * `top_p` → `p`, `stop` → `stop_sequences`, `tool_choice` → `REQUIRED`/`NONE`, `response_format` →
 * `json_object` with `json_schema`, `logprobs` kept (Cohere has no `top_logprobs`); `n > 1` is refused. Embeddings: `input_type` `search_document`
 * unless `provider_options.cohere` says otherwise. `provider_options.cohere` is merged last.
 * @see https://docs.cohere.com/reference/chat
 * @see https://docs.cohere.com/reference/embed
 */
export function toCohereRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const warnings: string[] = [];
  const embeddings = request.endpoint === 'embeddings';
  const body = embeddings ? embedBody(request, warnings) : chatBody(request, warnings);
  Object.assign(body, request.providerOptions);
  const apiKey = readTargetString(context.target, 'api_key');
  return {
    upstream: {
      url: joinUrl(
        readTargetString(context.target, 'custom_host') ?? COHERE_BASE_URL,
        embeddings ? '/embed' : '/chat',
      ),
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: request.stream ? 'text/event-stream' : 'application/json',
        ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
      },
      body: JSON.stringify(body),
    },
    warnings,
  };
}
