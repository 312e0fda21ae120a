import { PkError } from '@pk/config';
import { claudeOnlyParameters } from '../anthropic/claude-parameters.js';
import type { OpenAIChatRequest } from '../openai-format/chat-completion-request.js';
import { cacheControlOf } from '../shared/cache-control.js';
import { parseChatRequestOrThrow, stopSequences, warnDroppedParameters } from '../shared/chat-request.js';
import {
  unenforcedStrictSchemaWarning,
  unenforcedStrictToolWarnings,
} from '../shared/strict-schema-warning.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { isBedrockClaudeModel } from './claude-model.js';
import { readBedrockRegion } from './credentials.js';
import { BEDROCK_JSON_TOOL_NAME, bedrockJsonToolSpec } from './json-mode.js';
import { type BedrockRequestMessage, bedrockCachePoint, toBedrockMessages } from './request-messages.js';

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
  'tools',
  'tool_choice',
  'response_format',
  'n',
]);

/** What Converse reads for Claude besides: its own parameters, in `additionalModelRequestFields`. */
const TRANSLATED_FOR_CLAUDE = new Set([...TRANSLATED, 'thinking', 'top_k']);

/** Model ids and ARNs as they may enter the URL path (encoded there): no spaces, slashes only in ARNs. */
const MODEL_ID =
  /^(arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{0,12}:[a-z-]+\/[A-Za-z0-9._:/-]+|[A-Za-z0-9][A-Za-z0-9._:-]{0,255})$/;

/** The model id, checked before it enters the URL path. */
export function bedrockModelIdOf(model: unknown): string {
  if (typeof model !== 'string' || !MODEL_ID.test(model)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `invalid model id for bedrock: '${String(model)}'`, {
      param: 'model',
    });
  }
  return model;
}

/** Whether Converse messages hold `toolUse` or `toolResult` blocks. */
function holdsToolBlocks(messages: readonly BedrockRequestMessage[]): boolean {
  return messages.some((message) =>
    message.content.some((block) => 'toolUse' in block || 'toolResult' in block),
  );
}

/**
 * Amazon's own models (Nova) take cache checkpoints in `system` and `messages` only, not in `tools`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
const TOOLS_UNCACHEABLE = /(^|[./])amazon\./;

function toolConfig(options: {
  readonly chat: OpenAIChatRequest;
  readonly model: string;
  readonly messages: readonly BedrockRequestMessage[];
  readonly warnings: string[];
}): Record<string, unknown> | undefined {
  const { chat, model, messages, warnings } = options;
  const tools: Record<string, unknown>[] = (chat.tools ?? []).flatMap((tool) => {
    const spec = {
      toolSpec: {
        name: tool.function.name,
        ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
        inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } },
      },
    };
    const control = cacheControlOf(tool);
    if (control === undefined) return [spec];
    if (!TOOLS_UNCACHEABLE.test(model)) return [spec, bedrockCachePoint(control)];
    warnings.push(
      `cache_control on tool '${tool.function.name}' is not supported by bedrock for ${model} and was dropped`,
    );
    return [spec];
  });
  const jsonTool = bedrockJsonToolSpec(chat);
  const choice = chat.tool_choice;
  let toolChoice: Record<string, unknown> | undefined;
  if (jsonTool !== undefined && tools.length === 0) toolChoice = { tool: { name: BEDROCK_JSON_TOOL_NAME } };
  else if (choice === 'auto') toolChoice = { auto: {} };
  else if (choice === 'required') toolChoice = { any: {} };
  else if (typeof choice === 'object' && choice !== null)
    toolChoice = { tool: { name: choice.function.name } };
  if (jsonTool !== undefined) tools.push(jsonTool);
  if (tools.length === 0) return undefined;
  if (choice === 'none' && jsonTool === undefined) {
    // Converse has no "none": offering no tools is how a client says so. But Bedrock refuses messages
    // holding toolUse/toolResult blocks without a toolConfig ("The toolConfig field must be defined
    // when using toolUse and toolResult content blocks"), so such a conversation keeps its tools,
    // with no toolChoice (the model's own choice), and the client is told.
    if (!holdsToolBlocks(messages)) return undefined;
    warnings.push(
      "tool_choice 'none' cannot be kept on bedrock for a conversation that holds tool calls: the tools were sent without a tool choice",
    );
  }
  return { tools, ...(toolChoice === undefined ? {} : { toolChoice }) };
}

function converseBody(request: PreparedRequest, model: string, warnings: string[]): Record<string, unknown> {
  const chat = parseChatRequestOrThrow(request.body);
  if (typeof chat.n === 'number' && chat.n > 1) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'bedrock returns one choice per request: n > 1 is not supported',
      {
        param: 'n',
      },
    );
  }
  const { system, messages } = toBedrockMessages(chat.messages, warnings);
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  const stop = stopSequences(chat);
  const inference = {
    ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
    ...(typeof chat.temperature === 'number' ? { temperature: chat.temperature } : {}),
    ...(typeof chat.top_p === 'number' ? { topP: chat.top_p } : {}),
    ...(stop === undefined ? {} : { stopSequences: stop }),
  };
  const tools = toolConfig({ chat, model, messages, warnings });
  const strictWarning = unenforcedStrictSchemaWarning(chat.response_format, 'bedrock');
  if (strictWarning !== undefined) warnings.push(strictWarning);
  warnings.push(...unenforcedStrictToolWarnings(chat.tools, 'bedrock'));
  const claude = isBedrockClaudeModel(model);
  // Claude's extended thinking and top_k (Converse has no field of its own for them).
  const additional = claude ? claudeOnlyParameters(request.body) : {};
  warnDroppedParameters(request.body, claude ? TRANSLATED_FOR_CLAUDE : TRANSLATED, 'bedrock', warnings);
  return {
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...(Object.keys(inference).length > 0 ? { inferenceConfig: inference } : {}),
    ...(tools === undefined ? {} : { toolConfig: tools }),
    ...(Object.keys(additional).length > 0 ? { additionalModelRequestFields: additional } : {}),
  };
}

function embeddingBody(request: PreparedRequest, model: string, warnings: string[]): Record<string, unknown> {
  const input = request.body.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'bedrock embeddings take a string or an array of strings', {
      param: 'input',
    });
  }
  warnDroppedParameters(request.body, new Set(['model', 'input', 'dimensions']), 'bedrock', warnings);
  const dimensions = request.body.dimensions;
  if (model.startsWith('amazon.titan-embed')) {
    if (texts.length > 1) {
      throw new PkError('PK_ERR_INVALID_REQUEST', 'Titan embeddings take one input per request', {
        param: 'input',
      });
    }
    return { inputText: texts[0], ...(typeof dimensions === 'number' ? { dimensions } : {}) };
  }
  if (model.startsWith('cohere.embed')) return { texts, input_type: 'search_document' };
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `bedrock embeddings support Titan and Cohere models, not '${model}'`,
    {
      param: 'model',
    },
  );
}

/** `https://bedrock-runtime.{region}.amazonaws.com`, or the target's `custom_host`. */
export function bedrockRuntimeBaseUrl(target: ProviderContext['target'], region: string): string {
  return readTargetString(target, 'custom_host') ?? `https://bedrock-runtime.${region}.amazonaws.com`;
}

/**
 * OpenAI chat or embeddings request → Bedrock `Converse`, `ConverseStream` or `InvokeModel` (Titan or
 * Cohere embeddings) (pure, unsigned: `authorize` signs it). `aws_region` must match a strict pattern
 * before it enters the host; the model id is URL-encoded into the path. Chat maps `system`,
 * `inferenceConfig` (`maxTokens`, `temperature`, `topP`, `stopSequences`) and `toolConfig`; JSON mode
 * is a forced `json_response` tool; Claude's `thinking` and `top_k` go in `additionalModelRequestFields`; a tool's `cache_control` is a `cachePoint` after its `toolSpec`
 * (dropped with a warning for Amazon's models, which cache no tools). `provider_options.bedrock` (`additionalModelRequestFields`,
 * `guardrailConfig` …) is merged last.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 */
export function toBedrockRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const warnings: string[] = [];
  const region = readBedrockRegion(context.target);
  const model = bedrockModelIdOf(request.body.model);
  const embeddings = request.endpoint === 'embeddings';
  const body = embeddings ? embeddingBody(request, model, warnings) : converseBody(request, model, warnings);
  Object.assign(body, request.providerOptions);
  const action = embeddings ? 'invoke' : request.stream ? 'converse-stream' : 'converse';
  const base = bedrockRuntimeBaseUrl(context.target, region);
  return {
    upstream: {
      url: joinUrl(base, `/model/${encodeURIComponent(model)}/${action}`),
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: request.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
      },
      body: JSON.stringify(body),
    },
    warnings,
  };
}
