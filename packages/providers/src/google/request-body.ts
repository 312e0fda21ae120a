import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';
import {
  parseChatRequestOrThrow,
  responseJsonSchema,
  stopSequences,
  wantsJson,
  warnDroppedParameters,
} from '../shared/chat-request.js';
import { isJsonObject } from '../shared/json.js';
import { unenforcedStrictToolWarnings } from '../shared/strict-schema-warning.js';
import type { PreparedRequest } from '../spec/provider-adapter.js';
import { toGoogleContents } from './request-contents.js';
import { toGoogleSchema } from './schema.js';

const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'response_format',
]);

/** Translated only without streaming: Gemini documents `logprobsResult` for whole answers only. */
const TRANSLATED_WITHOUT_STREAM = new Set([...TRANSLATED, 'logprobs', 'top_logprobs']);

/**
 * `responseLogprobs` and `logprobs` (the number of alternatives per token) when the client asks for
 * `logprobs` on a whole answer.
 */
function logprobsConfig(body: Readonly<Record<string, unknown>>, stream: boolean): Record<string, unknown> {
  if (stream || body.logprobs !== true) return {};
  return {
    responseLogprobs: true,
    ...(typeof body.top_logprobs === 'number' ? { logprobs: body.top_logprobs } : {}),
  };
}

function toolConfig(chat: OpenAIChatRequest): Record<string, unknown> | undefined {
  const choice = chat.tool_choice;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (typeof choice === 'object' && choice !== null) {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  return undefined;
}

function generationConfig(options: {
  readonly chat: OpenAIChatRequest;
  readonly body: Readonly<Record<string, unknown>>;
  readonly provider: string;
  readonly stream: boolean;
  readonly warnings: string[];
}): Record<string, unknown> {
  const { chat, body, provider, stream, warnings } = options;
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  const stop = stopSequences(chat);
  const schema = responseJsonSchema(chat);
  return {
    ...(stop === undefined ? {} : { stopSequences: stop }),
    ...(typeof chat.n === 'number' && chat.n > 1 ? { candidateCount: chat.n } : {}),
    ...(typeof maxTokens === 'number' ? { maxOutputTokens: maxTokens } : {}),
    ...(typeof chat.temperature === 'number' ? { temperature: chat.temperature } : {}),
    ...(typeof chat.top_p === 'number' ? { topP: chat.top_p } : {}),
    // Not OpenAI's, but Portkey's and Gemini's: sampling among the k likeliest tokens.
    ...(typeof body.top_k === 'number' ? { topK: body.top_k } : {}),
    ...(typeof body.seed === 'number' ? { seed: body.seed } : {}),
    ...(typeof body.presence_penalty === 'number' ? { presencePenalty: body.presence_penalty } : {}),
    ...(typeof body.frequency_penalty === 'number' ? { frequencyPenalty: body.frequency_penalty } : {}),
    ...logprobsConfig(body, stream),
    ...(wantsJson(chat) ? { responseMimeType: 'application/json' } : {}),
    ...(schema === undefined
      ? {}
      : {
          responseSchema: toGoogleSchema(schema, {
            warnings,
            provider,
            param: 'response_format.json_schema.schema',
          }),
        }),
  };
}

/**
 * OpenAI chat request → Gemini `GenerateContentRequest` body (pure; shared by `google` and
 * `vertex-ai`): `systemInstruction`, `contents`, `tools[].functionDeclarations`, `toolConfig`
 * (`auto`/`required`/`none`/a named function → `AUTO`/`ANY`/`NONE`/`ANY` + `allowedFunctionNames`),
 * `generationConfig` (`maxOutputTokens`, `temperature`, `topP`, `topK`, `stopSequences`, `candidateCount`,
 * `seed`, penalties, `responseMimeType: application/json` and `responseSchema` for JSON mode,
 * `responseLogprobs` and `logprobs` for `logprobs` / `top_logprobs` without streaming).
 * `provider_options.<id>` is merged last (`generationConfig` field by field), so `safetySettings`,
 * `thinkingConfig` or `cachedContent` can be sent.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
export function toGoogleGenerateContentBody(
  request: PreparedRequest,
  provider: string,
  warnings: string[],
): Record<string, unknown> {
  const chat = parseChatRequestOrThrow(request.body);
  const { systemInstruction, contents } = toGoogleContents(chat.messages, warnings, provider);
  const tools = chat.tools ?? [];
  warnings.push(...unenforcedStrictToolWarnings(tools, provider));
  const config = toolConfig(chat);
  const generation = generationConfig({
    chat,
    body: request.body,
    provider,
    stream: request.stream,
    warnings,
  });
  const body: Record<string, unknown> = {
    ...(systemInstruction === undefined ? {} : { systemInstruction }),
    contents,
    ...(tools.length > 0
      ? {
          tools: [
            {
              functionDeclarations: tools.map((tool, index) => ({
                name: tool.function.name,
                ...(tool.function.description === undefined
                  ? {}
                  : { description: tool.function.description }),
                ...(tool.function.parameters === undefined
                  ? {}
                  : {
                      parameters: toGoogleSchema(tool.function.parameters, {
                        warnings,
                        provider,
                        param: `tools.${index}.function.parameters`,
                      }),
                    }),
              })),
            },
          ],
        }
      : {}),
    ...(config === undefined || tools.length === 0 ? {} : { toolConfig: config }),
    ...(Object.keys(generation).length > 0 ? { generationConfig: generation } : {}),
  };
  warnDroppedParameters(
    request.body,
    request.stream ? TRANSLATED : TRANSLATED_WITHOUT_STREAM,
    provider,
    warnings,
  );
  const { generationConfig: extraGeneration, ...options } = request.providerOptions;
  Object.assign(body, options);
  if (isJsonObject(extraGeneration)) body.generationConfig = { ...generation, ...extraGeneration };
  return body;
}
