import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { announcedMetricsUrl } from './support/metrics-url.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import {
  type MockReply,
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';
import { adminGetter, listedRecordOf } from './support/stored-records.js';

// What a request cost, as every place pk records it says (the log record, the virtual key's budget,
// `/metrics`, analytics), for each provider's usage as that provider reports it (cache reads and
// writes, Anthropic's 1-hour cache writes, reasoning or thinking tokens, Cohere's billed units),
// streamed and not, through each dialect pk serves (chat completions, the Responses API, Anthropic
// Messages), with the official SDKs against the built gateway. Every expected cost is worked out by
// hand from the published price per 1M tokens, in the comments.
const KEYS = { team: 'pk-cost-team', admin: 'pk-cost-admin' };
const PROMPT = 'What is the capital of France?';
const ANSWER = 'Paris.';

let mock: ProviderMock;
let gateway: FeatureGateway;
let metricsUrl: string;
const dataDir = temporaryDataDir();

/** A case: a provider, the model the client names and the provider answers, its usage, the cost. */
interface Case {
  readonly slug: string;
  readonly provider: string;
  readonly model: string;
  /** The provider's answer to one request (stream or not). */
  readonly reply: (request: ReceivedRequest) => MockReply;
  /** USD, worked out by hand. */
  readonly cost: number;
  /** The virtual key's provider and options (default: the provider at the mock as its custom host). */
  readonly target?: () => Record<string, unknown>;
  /** Dialects it is sent through (default: all three). */
  readonly dialects?: readonly Dialect[];
  /** Where the record says its cost came from (default `price_table`: pk priced the usage). */
  readonly source?: 'provider';
}

const sse = (event: string, data: unknown) => ({ event, data: JSON.stringify(data) });

/** OpenAI chat completions with `usage` (https://platform.openai.com/docs/api-reference/chat/object). */
function openAIChat(model: string, usage: Record<string, unknown>) {
  return (request: ReceivedRequest): MockReply => {
    const base = { id: 'chatcmpl-cost', created: 1_731_000_000, model, system_fingerprint: 'fp_cost' };
    if (request.body?.stream !== true)
      return {
        json: {
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: ANSWER, refusal: null },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          usage,
        },
      };
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra });
    return {
      sse: [
        chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], {
          usage: null,
        }),
        chunk([{ index: 0, delta: { content: ANSWER }, finish_reason: null }], { usage: null }),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: null }),
        chunk([], { usage }),
        '[DONE]',
      ],
    };
  };
}

/** OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses/object). */
function openAIResponses(model: string, usage: Record<string, unknown>) {
  return (request: ReceivedRequest): MockReply => {
    const item = {
      id: 'msg_cost',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: ANSWER, annotations: [] }],
    };
    const response = (status: string, done: boolean) => ({
      id: 'resp_cost',
      object: 'response',
      created_at: 1_731_000_000,
      status,
      model,
      output: done ? [item] : [],
      usage: done ? usage : null,
    });
    if (request.body?.stream !== true) return { json: response('completed', true) };
    return {
      sse: [
        sse('response.created', {
          type: 'response.created',
          sequence_number: 0,
          response: response('in_progress', false),
        }),
        sse('response.output_item.added', {
          type: 'response.output_item.added',
          sequence_number: 1,
          output_index: 0,
          item: { ...item, status: 'in_progress', content: [] },
        }),
        sse('response.output_text.delta', {
          type: 'response.output_text.delta',
          sequence_number: 2,
          item_id: 'msg_cost',
          output_index: 0,
          content_index: 0,
          delta: ANSWER,
        }),
        sse('response.output_item.done', {
          type: 'response.output_item.done',
          sequence_number: 3,
          output_index: 0,
          item,
        }),
        sse('response.completed', {
          type: 'response.completed',
          sequence_number: 4,
          response: response('completed', true),
        }),
      ],
    };
  };
}

/**
 * Anthropic Messages (https://docs.anthropic.com/en/api/messages): the whole usage in the answer;
 * streamed, the input side in `message_start` and the output in `message_delta`
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 */
function anthropicMessages(model: string, usage: Record<string, unknown>) {
  return (request: ReceivedRequest): MockReply => {
    const message = {
      id: 'msg_cost',
      type: 'message',
      role: 'assistant',
      model,
      stop_sequence: null,
    };
    if (request.body?.stream !== true)
      return {
        json: { ...message, content: [{ type: 'text', text: ANSWER }], stop_reason: 'end_turn', usage },
      };
    return {
      sse: [
        sse('message_start', {
          type: 'message_start',
          message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
        }),
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        sse('ping', { type: 'ping' }),
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: ANSWER },
        }),
        sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
        sse('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: usage.output_tokens },
        }),
        sse('message_stop', { type: 'message_stop' }),
      ],
    };
  };
}

/** Gemini `generateContent` / `streamGenerateContent?alt=sse` (https://ai.google.dev/api/generate-content). */
function gemini(model: string, usageMetadata: Record<string, unknown>) {
  return (request: ReceivedRequest): MockReply => {
    const answer = (text: string, last: boolean) => ({
      candidates: [
        {
          content: { parts: [{ text }], role: 'model' },
          ...(last ? { finishReason: 'STOP' } : {}),
          index: 0,
        },
      ],
      usageMetadata: last
        ? usageMetadata
        : {
            promptTokenCount: usageMetadata.promptTokenCount,
            totalTokenCount: usageMetadata.promptTokenCount,
          },
      modelVersion: model,
      responseId: 'gemini-cost',
    });
    if (!request.path.includes(':streamGenerateContent')) return { json: answer(ANSWER, true) };
    return { sse: [JSON.stringify(answer('Par', false)), JSON.stringify(answer('is.', true))] };
  };
}

/**
 * Bedrock Converse / ConverseStream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)
 * with camelCase `usage`; and Claude's own Messages through `InvokeModel` (what pk calls for
 * `/v1/messages`): the Message, or each event base64 in a `chunk` frame, `message_stop` with
 * Bedrock's `amazon-bedrock-invocationMetrics`
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html).
 */
function bedrock(usage: Record<string, unknown>, messagesUsage: Record<string, unknown>, model: string) {
  const invoke = anthropicMessages(model, messagesUsage);
  return (request: ReceivedRequest): MockReply => {
    if (request.path.includes('/invoke-with-response-stream')) {
      const events = invoke({ ...request, body: { ...request.body, stream: true } });
      const payloads = 'sse' in events ? events.sse : [];
      return {
        eventStream: payloads.map((payload) => {
          const data = typeof payload === 'string' ? payload : payload.data;
          const event = JSON.parse(data) as Record<string, unknown>;
          const withMetrics =
            event.type === 'message_stop'
              ? {
                  ...event,
                  'amazon-bedrock-invocationMetrics': {
                    inputTokenCount: messagesUsage.input_tokens,
                    outputTokenCount: messagesUsage.output_tokens,
                    invocationLatency: 900,
                    firstByteLatency: 300,
                    cacheReadInputTokenCount: messagesUsage.cache_read_input_tokens,
                    cacheWriteInputTokenCount: messagesUsage.cache_creation_input_tokens,
                  },
                }
              : event;
          return { chunk: { bytes: Buffer.from(JSON.stringify(withMetrics)).toString('base64'), p: 'abcd' } };
        }),
      };
    }
    if (request.path.includes('/invoke'))
      return invoke({ ...request, body: { ...request.body, stream: false } });
    if (!request.path.includes('/converse-stream'))
      return {
        json: {
          output: { message: { role: 'assistant', content: [{ text: ANSWER }] } },
          stopReason: 'end_turn',
          usage,
          metrics: { latencyMs: 120 },
        },
      };
    return {
      eventStream: [
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ANSWER } } },
        { contentBlockStop: { contentBlockIndex: 0 } },
        { messageStop: { stopReason: 'end_turn' } },
        { metadata: { usage, metrics: { latencyMs: 120 } } },
      ],
    };
  };
}

/** Cohere chat v2 and its stream (https://docs.cohere.com/reference/chat, /reference/chat-stream). */
function cohere(usage: Record<string, unknown>) {
  return (request: ReceivedRequest): MockReply => {
    if (request.body?.stream !== true)
      return {
        json: {
          id: 'cohere-cost',
          finish_reason: 'COMPLETE',
          message: { role: 'assistant', content: [{ type: 'text', text: ANSWER }] },
          usage,
        },
      };
    return {
      sse: [
        sse('message-start', {
          type: 'message-start',
          id: 'cohere-cost',
          delta: {
            message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
          },
        }),
        sse('content-start', {
          type: 'content-start',
          index: 0,
          delta: { message: { content: { type: 'text', text: '' } } },
        }),
        sse('content-delta', {
          type: 'content-delta',
          index: 0,
          delta: { message: { content: { text: ANSWER } } },
        }),
        sse('content-end', { type: 'content-end', index: 0 }),
        sse('message-end', { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage } }),
      ],
    };
  };
}

// ---- The usages, as each provider reports them, and their costs worked out by hand ----

/**
 * gpt-4o ($2.50 in, $1.25 cached in, $10 out per 1M): 10,000 prompt tokens of which 4,000 cached,
 * 2,000 completion tokens: 6,000 × 2.5 + 4,000 × 1.25 + 2,000 × 10 = 40,000 µ$ per 1M → $0.04.
 */
const GPT_4O_USAGE = {
  prompt_tokens: 10_000,
  completion_tokens: 2_000,
  total_tokens: 12_000,
  prompt_tokens_details: { cached_tokens: 4_000, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};
/**
 * o3 ($2 in, $8 out since 2025-06-10): 1,000 prompt tokens, 5,000 completion tokens of which 4,000
 * reasoning (inside the completion count, OpenAI's rule): 1,000 × 2 + 5,000 × 8 → $0.042 (billing the
 * reasoning again would make it $0.074).
 */
const O3_USAGE = {
  prompt_tokens: 1_000,
  completion_tokens: 5_000,
  total_tokens: 6_000,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 4_000, audio_tokens: 0 },
};
/**
 * gpt-audio ($2.50 text in, $32 audio in, $10 text out, $64 audio out): 1,000 prompt tokens of which
 * 800 audio, 500 completion tokens of which 400 audio: 200 × 2.5 + 800 × 32 + 100 × 10 + 400 × 64 =
 * 500 + 25,600 + 1,000 + 25,600 = 52,700 → $0.0527 (billed as text it would be $0.0075).
 */
const GPT_AUDIO_USAGE = {
  prompt_tokens: 1_000,
  completion_tokens: 500,
  total_tokens: 1_500,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 800 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 400 },
};
/** The same two usages in the Responses API's terms. */
const GPT_4O_RESPONSES_USAGE = {
  input_tokens: 10_000,
  input_tokens_details: { cached_tokens: 4_000 },
  output_tokens: 2_000,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 12_000,
};
const O3_RESPONSES_USAGE = {
  input_tokens: 1_000,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 5_000,
  output_tokens_details: { reasoning_tokens: 4_000 },
  total_tokens: 6_000,
};
/**
 * Claude Sonnet 4.5 ($3 in, $0.30 cache read, $3.75 5-minute cache write, $6 1-hour cache write
 * (2× input: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing), $15 out):
 * 1,000 new input tokens, 20,000 read from the cache, 5,000 written to it (3,000 for 5 minutes,
 * 2,000 for an hour), 500 out: 1,000 × 3 + 20,000 × 0.3 + 3,000 × 3.75 + 2,000 × 6 + 500 × 15 =
 * 3,000 + 6,000 + 11,250 + 12,000 + 7,500 = 39,750 → $0.03975.
 */
const CLAUDE_USAGE = {
  input_tokens: 1_000,
  cache_creation_input_tokens: 5_000,
  cache_read_input_tokens: 20_000,
  cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
  output_tokens: 500,
  service_tier: 'standard',
};
const CLAUDE_COST = 0.03975;
/** Claude with 5-minute cache writes only: 3,000 + 6,000 + 5,000 × 3.75 + 7,500 = 35,250 → $0.03525. */
const CLAUDE_5M_USAGE = {
  input_tokens: 1_000,
  cache_creation_input_tokens: 5_000,
  cache_read_input_tokens: 20_000,
  cache_creation: { ephemeral_5m_input_tokens: 5_000, ephemeral_1h_input_tokens: 0 },
  output_tokens: 500,
};
/**
 * Gemini 2.5 Flash ($0.30 in, $0.03 cached, $2.50 out, thinking included): 10,000 prompt tokens of
 * which 6,000 from cached content (`promptTokenCount` includes them), 500 candidate tokens and 1,500
 * thinking tokens (not in `candidatesTokenCount`): 4,000 × 0.3 + 6,000 × 0.03 + 2,000 × 2.5 =
 * 1,200 + 180 + 5,000 = 6,380 → $0.00638.
 */
const GEMINI_USAGE = {
  promptTokenCount: 10_000,
  cachedContentTokenCount: 6_000,
  candidatesTokenCount: 500,
  thoughtsTokenCount: 1_500,
  totalTokenCount: 12_000,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10_000 }],
};
/**
 * Gemini 2.0 Flash ($0.10 text in, $0.70 audio in, $0.40 out): 1,000 prompt tokens of which 800 audio
 * (`promptTokensDetails` by modality), 500 out: 200 × 0.1 + 800 × 0.7 + 500 × 0.4 = 780 → $0.00078
 * (all as text it would be $0.0003).
 */
const GEMINI_AUDIO_USAGE = {
  promptTokenCount: 1_000,
  candidatesTokenCount: 500,
  totalTokenCount: 1_500,
  promptTokensDetails: [
    { modality: 'TEXT', tokenCount: 200 },
    { modality: 'AUDIO', tokenCount: 800 },
  ],
  candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 500 }],
};
/**
 * Claude Sonnet 4.5 on Bedrock through the `us.` inference profile ($3.30 in, $0.33 cache read,
 * $4.125 cache write, $16.50 out): `inputTokens` excludes the cache's: 1,000 × 3.3 + 20,000 × 0.33 +
 * 5,000 × 4.125 + 500 × 16.5 = 3,300 + 6,600 + 20,625 + 8,250 = 38,775 → $0.038775.
 */
const CONVERSE_USAGE = {
  inputTokens: 1_000,
  outputTokens: 500,
  totalTokens: 26_500,
  cacheReadInputTokens: 20_000,
  cacheWriteInputTokens: 5_000,
};
/**
 * Command A ($2.50 in, $10 out): Cohere bills `billed_units` (100 in, 400 out); `tokens` counts what
 * the model processed, its own prompt template included (1,500 in, 402 out):
 * 100 × 2.5 + 400 × 10 = 4,250 → $0.00425.
 */
/** The same through `InvokeModel`, in Anthropic's terms. */
const BEDROCK_MESSAGES_USAGE = {
  input_tokens: 1_000,
  cache_creation_input_tokens: 5_000,
  cache_read_input_tokens: 20_000,
  output_tokens: 500,
};
/**
 * The same with 2,000 of the 5,000 writes for an hour (Converse's `cacheDetails` by TTL; Anthropic's
 * `cache_creation` through `InvokeModel`), at 2 × $3.30: 3,300 + 6,600 + 3,000 × 4.125 + 2,000 × 6.6
 * + 8,250 = 43,725 → $0.043725.
 */
const CONVERSE_1H_USAGE = {
  ...CONVERSE_USAGE,
  cacheDetails: [
    { ttl: '1h', inputTokens: 2_000 },
    { ttl: '5m', inputTokens: 3_000 },
  ],
};
const BEDROCK_1H_MESSAGES_USAGE = {
  ...BEDROCK_MESSAGES_USAGE,
  cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
};
const COHERE_USAGE = {
  billed_units: { input_tokens: 100, output_tokens: 400 },
  tokens: { input_tokens: 1_500, output_tokens: 402 },
};

/**
 * Groq, Llama 3.3 70B ($0.59 in, $0.79 out): 10,000 in, 2,000 out, with Groq's timing fields:
 * 5,900 + 1,580 = 7,480 → $0.00748.
 */
const GROQ_USAGE = {
  queue_time: 0.02,
  prompt_tokens: 10_000,
  prompt_time: 0.01,
  completion_tokens: 2_000,
  completion_time: 0.3,
  total_tokens: 12_000,
  total_time: 0.31,
};
/**
 * Grok 4 ($3 in, $0.75 cached, $15 out): xAI's completion_tokens leave the reasoning out (its total is
 * prompt + completion + reasoning): 6,000 × 3 + 4,000 × 0.75 + (1,000 + 9,000) × 15 = 171,000 → $0.171.
 */
const XAI_USAGE = {
  prompt_tokens: 10_000,
  completion_tokens: 1_000,
  total_tokens: 20_000,
  prompt_tokens_details: { text_tokens: 10_000, audio_tokens: 0, image_tokens: 0, cached_tokens: 4_000 },
  completion_tokens_details: {
    reasoning_tokens: 9_000,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
  num_sources_used: 0,
};
/** Mistral Large ($2 in, $6 out): 10,000 in, 2,000 out: 20,000 + 12,000 = 32,000 → $0.032. */
const MISTRAL_USAGE = { prompt_tokens: 10_000, total_tokens: 12_000, completion_tokens: 2_000 };
/** Vertex AI with an access token (its real host name, behind the mock's CONNECT proxy). */
const VERTEX = {
  provider: 'vertex-ai',
  api_key: 'ya29.cost-probe',
  options: { vertex_project_id: 'my-project-123', vertex_region: 'us-central1' },
};

const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/**
 * OpenRouter's usage (https://openrouter.ai/docs/use-cases/usage-accounting): the tokens, and `cost`,
 * the credits (USD) it charged, always reported now. gpt-4o's list price on these tokens is $0.04;
 * OpenRouter charged $0.0421 (the provider it routed to, its fee): what the record must say.
 */
const OPENROUTER_USAGE = {
  ...GPT_4O_USAGE,
  cost: 0.0421,
  is_byok: false,
  cost_details: { upstream_inference_cost: null },
};

const CASES: Record<string, Omit<Case, 'slug'>> = {
  'openai-gpt-4o': {
    provider: 'openai',
    model: 'gpt-4o-cost',
    reply: openAIChat('gpt-4o-2024-08-06', GPT_4O_USAGE),
    cost: 0.04,
  },
  'openai-o3': {
    provider: 'openai',
    model: 'o3-cost',
    reply: openAIChat('o3-2025-04-16', O3_USAGE),
    cost: 0.042,
  },
  'openai-gpt-audio': {
    provider: 'openai',
    model: 'gpt-audio-cost',
    reply: openAIChat('gpt-audio-2025-08-28', GPT_AUDIO_USAGE),
    cost: 0.0527,
  },
  'openai-responses-gpt-4o': {
    provider: 'openai',
    model: 'gpt-4o-responses-cost',
    reply: openAIResponses('gpt-4o-2024-08-06', GPT_4O_RESPONSES_USAGE),
    cost: 0.04,
  },
  'openai-responses-o3': {
    provider: 'openai',
    model: 'o3-responses-cost',
    reply: openAIResponses('o3-2025-04-16', O3_RESPONSES_USAGE),
    cost: 0.042,
  },
  'anthropic-claude': {
    provider: 'anthropic',
    model: 'claude-cost',
    reply: anthropicMessages('claude-sonnet-4-5-20250929', CLAUDE_USAGE),
    cost: CLAUDE_COST,
  },
  'anthropic-claude-5m': {
    provider: 'anthropic',
    model: 'claude-5m-cost',
    reply: anthropicMessages('claude-sonnet-4-5-20250929', CLAUDE_5M_USAGE),
    cost: 0.03525,
  },
  'google-gemini': {
    provider: 'google',
    model: 'gemini-2.5-flash',
    reply: gemini('gemini-2.5-flash', GEMINI_USAGE),
    cost: 0.00638,
  },
  'google-gemini-audio': {
    provider: 'google',
    model: 'gemini-2.0-flash',
    reply: gemini('gemini-2.0-flash', GEMINI_AUDIO_USAGE),
    cost: 0.00078,
  },
  'bedrock-claude': {
    provider: 'bedrock',
    model: BEDROCK_MODEL,
    reply: bedrock(CONVERSE_USAGE, BEDROCK_MESSAGES_USAGE, 'claude-sonnet-4-5-20250929'),
    cost: 0.038775,
  },
  'azure-gpt-4o': {
    provider: 'azure-openai',
    model: 'gpt-4o-azure-cost',
    reply: openAIChat('gpt-4o-2024-08-06', GPT_4O_USAGE),
    cost: 0.04,
    // Azure's real host name, served by the mock behind its CONNECT proxy.
    target: () => ({
      provider: 'azure-openai',
      api_key: 'azure-cost-key',
      options: { resource_name: 'my-resource', deployment_id: 'gpt-4o-cost-deployment' },
    }),
    dialects: ['chat', 'portkey', 'messages'],
  },
  'vertex-gemini': {
    provider: 'vertex-ai',
    model: 'gemini-2.5-flash',
    reply: gemini('gemini-2.5-flash', GEMINI_USAGE),
    cost: 0.00638,
    target: () => VERTEX,
  },
  'vertex-claude': {
    provider: 'vertex-ai',
    model: 'claude-sonnet-4-5@20250929',
    reply: anthropicMessages('claude-sonnet-4-5-20250929', CLAUDE_USAGE),
    cost: CLAUDE_COST,
    target: () => VERTEX,
  },
  'groq-llama': {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    reply: openAIChat('llama-3.3-70b-versatile', GROQ_USAGE),
    cost: 0.00748,
  },
  'mistral-large': {
    provider: 'mistral-ai',
    model: 'mistral-large-latest',
    reply: openAIChat('mistral-large-latest', MISTRAL_USAGE),
    cost: 0.032,
  },
  'xai-grok-4': {
    provider: 'x-ai',
    model: 'grok-4',
    reply: openAIChat('grok-4-0709', XAI_USAGE),
    cost: 0.171,
    dialects: ['chat', 'portkey', 'messages'],
  },
  'bedrock-claude-1h': {
    provider: 'bedrock',
    model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    reply: bedrock(CONVERSE_1H_USAGE, BEDROCK_1H_MESSAGES_USAGE, 'claude-sonnet-4-5-20250929'),
    cost: 0.043725,
  },
  'openrouter-gpt-4o': {
    provider: 'openrouter',
    model: 'openai/gpt-4o',
    reply: openAIChat('openai/gpt-4o', OPENROUTER_USAGE),
    cost: 0.0421,
    source: 'provider',
  },
  'cohere-command-a': {
    provider: 'cohere',
    model: 'command-a-03-2025',
    reply: cohere(COHERE_USAGE),
    cost: 0.00425,
  },
};

/** `portkey`: chat completions through the portkey-ai SDK. */
const DIALECTS = ['chat', 'portkey', 'responses', 'messages'] as const;
type Dialect = (typeof DIALECTS)[number];
/** A virtual key per case, dialect and stream, each with its own budget. */
const slugOf = (name: string, dialect: Dialect, stream: boolean) =>
  `${name}-${dialect}-${stream ? 's' : 'j'}`;

beforeAll(async () => {
  mock = await startProviderMock();
  const virtualKeys: Record<string, unknown> = {};
  for (const model of ['gpt-4o-cached-cost', 'my-private-model-cost', 'my-finetune-cost'])
    mock.script(model, (request) => openAIChat(model, GPT_4O_USAGE)(request));
  mock.script('gpt-4o-cached-cost', (request) => openAIChat('gpt-4o-2024-08-06', GPT_4O_USAGE)(request));
  // Gemini `batchEmbedContents` (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents):
  // the vectors, no usage.
  mock.script('gemini-embedding-001', () => ({ json: { embeddings: [{ values: [0.1, 0.2, 0.3] }] } }));
  // OpenAI's embeddings with their usage: 8,000 tokens at $0.02 per 1M (text-embedding-3-small) = $0.00016.
  mock.script('text-embedding-3-small', () => ({
    json: {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 8_000, total_tokens: 8_000 },
    },
  }));
  for (const [name, spec] of Object.entries(CASES)) {
    mock.script(spec.model, (request) => spec.reply(request));
    for (const dialect of DIALECTS)
      for (const stream of [false, true]) {
        const budget = { usage_limits: { credit_limit: 100 } };
        const host = (path: string) => ({ custom_host: `${mock.url}${path}` });
        virtualKeys[slugOf(name, dialect, stream)] = spec.target
          ? { ...spec.target(), ...budget }
          : spec.provider === 'bedrock'
            ? {
                provider: 'bedrock',
                options: {
                  aws_access_key_id: 'AKIDCOSTPROBE',
                  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
                  aws_region: 'us-east-1',
                  custom_host: mock.url,
                },
                ...budget,
              }
            : {
                provider: spec.provider,
                api_key: 'sk-cost-probe',
                options: host(
                  spec.provider === 'google' ? '/v1beta' : spec.provider === 'cohere' ? '/v2' : '/v1',
                ),
                ...budget,
              };
      }
  }
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team', key: KEYS.team },
        { id: 'admin', key: KEYS.admin, role: 'admin' },
      ],
      virtual_keys: {
        ...virtualKeys,
        // One each for the cache, an unknown model, an operator's price and embeddings, each with a budget.
        ...Object.fromEntries(
          ['cached', 'unpriced', 'overridden', 'embeddings-openai'].map((slug) => [
            slug,
            {
              provider: 'openai',
              api_key: 'sk-cost-probe',
              options: { custom_host: `${mock.url}/v1` },
              usage_limits: { credit_limit: 100 },
            },
          ]),
        ),
        // Gemini's embeddings: its answer has no token counts.
        'embeddings-gemini': {
          provider: 'google',
          api_key: 'g-cost-probe',
          options: { custom_host: `${mock.url}/v1beta` },
          usage_limits: { credit_limit: 100 },
        },
      },
      // An operator's own price (USD per 1M, and per request): cached input defaults to input.
      prices: { openai: { 'my-finetune-cost': { input: 3, output: 12, per_request: 0.001 } } },
    },
    env: { PK_DATA_DIR: dataDir.path, PK_LOG_STORE_FLUSH_MS: '50', PK_METRICS_PORT: '0' },
  });
  metricsUrl = announcedMetricsUrl(gateway.process.output());
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

function adminGet<T>(path: string): Promise<T> {
  return adminGetter(gateway.base, KEYS.admin)<T>(path);
}

/** The stored record of a trace, once the log store has it. */
function recordOf(traceId: string): Promise<Record<string, unknown>> {
  return listedRecordOf(adminGet, traceId);
}

/** What a virtual key's budget has counted, once `requests` of its requests were settled. */
async function budgetCostOf(slug: string, requests = 1): Promise<number> {
  let costUsd = -1;
  await expect
    .poll(
      async () => {
        const usage = (
          await adminGet<{ current_usage: { requests: number; cost_usd: number } }>(`/virtual-keys/${slug}`)
        ).current_usage;
        costUsd = usage.cost_usd;
        return usage.requests;
      },
      { timeout: 5000 },
    )
    .toBe(requests);
  return costUsd;
}

/** Sends one request through a dialect's official SDK; drains a stream. */
async function send(dialect: Dialect, model: string, slug: string, stream: boolean, traceId: string) {
  const headers = {
    'x-portkey-api-key': KEYS.team,
    'x-portkey-virtual-key': slug,
    'x-portkey-trace-id': traceId,
  };
  if (dialect === 'messages') {
    const client = new Anthropic({
      baseURL: gateway.url,
      apiKey: 'unused',
      defaultHeaders: headers,
      maxRetries: 0,
    });
    const params = { model, max_tokens: 1024, messages: [{ role: 'user' as const, content: PROMPT }] };
    if (!stream) return void (await client.messages.create(params));
    for await (const _ of await client.messages.create({ ...params, stream: true })) void _;
    return;
  }
  if (dialect === 'portkey') {
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: KEYS.team,
      virtualKey: slug,
      traceID: traceId,
      maxRetries: 0,
    });
    const params = { model, messages: [{ role: 'user' as const, content: PROMPT }] };
    if (!stream) return void (await portkey.chat.completions.create(params));
    for await (const _ of await portkey.chat.completions.create({ ...params, stream: true })) void _;
    return;
  }
  const client = new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    defaultHeaders: headers,
    maxRetries: 0,
  });
  if (dialect === 'responses') {
    if (!stream) return void (await client.responses.create({ model, input: PROMPT }));
    for await (const _ of await client.responses.create({ model, input: PROMPT, stream: true })) void _;
    return;
  }
  const params = { model, messages: [{ role: 'user' as const, content: PROMPT }] };
  if (!stream) return void (await client.chat.completions.create(params));
  // A client that did not ask for the usage chunk: pk asks for it upstream, and prices it.
  for await (const _ of await client.chat.completions.create({ ...params, stream: true })) void _;
}

/** Which dialects a case is served through: a native Responses answer only on /v1/responses. */
function dialectsOf(name: string): readonly Dialect[] {
  const own = CASES[name]?.dialects;
  if (own) return own;
  // OpenAI's own answers: chat completions to chat completions and Messages, a Response to Responses.
  if (name.startsWith('openai-responses')) return ['responses'];
  if (name.startsWith('openai')) return ['chat', 'portkey', 'messages'];
  return DIALECTS;
}

const sent: { provider: string; cost: number; traceId?: string }[] = [];

describe('a request’s cost is the same in its log record and its budget, for every provider, dialect and stream', () => {
  for (const [name, spec] of Object.entries(CASES))
    for (const dialect of dialectsOf(name))
      for (const stream of [false, true])
        it(`${name} through ${dialect}${stream ? ', streamed' : ''}: $${spec.cost}`, async () => {
          const slug = slugOf(name, dialect, stream);
          const traceId = randomBytes(8).toString('hex');
          await send(dialect, spec.model, slug, stream, traceId);
          const record = await recordOf(traceId);
          sent.push({ provider: spec.provider, cost: spec.cost, traceId });
          expect({
            cost: record.cost,
            cost_status: record.cost_status,
            cost_source: record.cost_source,
          }).toEqual({
            cost: spec.cost,
            cost_status: 'priced',
            cost_source: spec.source ?? 'price_table',
          });
          expect(await budgetCostOf(slug)).toBeCloseTo(spec.cost, 6);
        });
});

/** A chat completion through a virtual key and an optional config; the record of its trace. */
async function chatRecord(slug: string, model: string, config?: unknown) {
  const traceId = randomBytes(8).toString('hex');
  const client = new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': KEYS.team,
      'x-portkey-virtual-key': slug,
      'x-portkey-trace-id': traceId,
      ...(config === undefined ? {} : { 'x-portkey-config': JSON.stringify(config) }),
    },
  });
  const answer = await client.chat.completions
    .create({ model, messages: [{ role: 'user', content: PROMPT }] })
    .withResponse();
  return { answer, record: await recordOf(traceId) };
}

describe('what is not the provider’s price list', () => {
  it('a hit of pk’s own cache costs 0, in its record and to the budget', async () => {
    const config = { cache: { mode: 'simple' } };
    const first = await chatRecord('cached', 'gpt-4o-cached-cost', config);
    expect(first.answer.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(first.record).toMatchObject({ cost: 0.04, cost_status: 'priced' });
    const second = await chatRecord('cached', 'gpt-4o-cached-cost', config);
    expect(second.answer.response.headers.get('x-portkey-cache-status')).toBe('HIT');
    expect(second.record).toMatchObject({ cost: 0, cost_status: 'priced' });
    // The hit reached no provider, so the virtual key counts one request and its cost only.
    expect(await budgetCostOf('cached', 1)).toBeCloseTo(0.04, 9);
    sent.push({ provider: 'openai', cost: 0.04 });
  });

  it('a model the table does not price: its record says unknown_price with no cost (never 0), /metrics counts it unpriced', async () => {
    const unpriced = async () =>
      sampleValue(parsePrometheusText(await (await fetch(metricsUrl)).text()), 'pk_requests_unpriced_total', {
        provider: 'openai',
      });
    const before = await unpriced();
    const { record } = await chatRecord('unpriced', 'my-private-model-cost');
    expect(record).toMatchObject({ cost: null, cost_status: 'unknown_price' });
    await expect.poll(unpriced).toBe(before + 1);
    // A budget cannot price it: documented (decision 0012, the README's budgets), it is charged $0.
    expect(await budgetCostOf('unpriced')).toBe(0);
  });

  it('an operator’s price (settings `prices:`) reaches the record and the budget', async () => {
    // 10,000 prompt tokens at $3 (the 4,000 cached too: no cached price given), 2,000 out at $12,
    // plus $0.001 a request: 30,000 + 24,000 per 1M + 0.001 = $0.055.
    const { record } = await chatRecord('overridden', 'my-finetune-cost');
    expect(record).toMatchObject({ cost: 0.055, cost_status: 'priced' });
    expect(await budgetCostOf('overridden')).toBeCloseTo(0.055, 9);
    sent.push({ provider: 'openai', cost: 0.055 });
  });
});

describe('embeddings', () => {
  /** An embeddings request through a virtual key; the record of its trace. */
  async function embed(slug: string, model: string) {
    const traceId = randomBytes(8).toString('hex');
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': KEYS.team,
        'x-portkey-virtual-key': slug,
        'x-portkey-trace-id': traceId,
      },
    });
    const answer = await client.embeddings.create({ model, input: PROMPT });
    return { answer, record: await recordOf(traceId) };
  }

  it('OpenAI’s: priced from their usage, in the record and the budget', async () => {
    const { record } = await embed('embeddings-openai', 'text-embedding-3-small');
    expect(record).toMatchObject({ cost: 0.00016, cost_status: 'priced' });
    expect(await budgetCostOf('embeddings-openai')).toBeCloseTo(0.00016, 9);
    sent.push({ provider: 'openai', cost: 0.00016 });
  });

  it('Gemini’s, whose answer counts no tokens: no_usage, never a priced $0, and the budget keeps the hold', async () => {
    // gemini-embedding-001 is priced ($0.15 per 1M input tokens), but Gemini's answer has no usage.
    const { answer, record } = await embed('embeddings-gemini', 'gemini-embedding-001');
    expect(answer.data[0]?.embedding).toHaveLength(3);
    expect(record).toMatchObject({ cost: null, cost_status: 'no_usage' });
    // What it may have cost (its prompt's bound at the input price) stays charged, as for any answer
    // without usage: more than nothing.
    expect(await budgetCostOf('embeddings-gemini')).toBeGreaterThan(0);
  });
});

describe('what a dialect’s client is told', () => {
  it('an Anthropic client served by xAI gets Grok’s reasoning in output_tokens, as Anthropic counts thinking', async () => {
    const slug = slugOf('xai-grok-4', 'messages', false);
    const client = new Anthropic({
      baseURL: gateway.url,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEYS.team, 'x-portkey-virtual-key': slug },
    });
    const message = await client.messages.create({
      model: 'grok-4',
      max_tokens: 1024,
      messages: [{ role: 'user', content: PROMPT }],
    });
    sent.push({ provider: 'x-ai', cost: 0.171 });
    // 1,000 completion tokens and 9,000 of reasoning beside them (xAI's total says so).
    expect(message.usage).toMatchObject({
      input_tokens: 6_000,
      cache_read_input_tokens: 4_000,
      output_tokens: 10_000,
    });
  });
});

describe('the console', () => {
  it('its API (behind a console session) shows each record’s cost as /v1/logs does', async () => {
    const signIn = await fetch(`${gateway.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gateway.url },
      body: JSON.stringify({ key: KEYS.admin }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const traced = sent.filter((entry) => entry.traceId !== undefined);
    expect(traced.length).toBeGreaterThan(50);
    for (const { traceId, cost } of traced) {
      const response = await fetch(`${gateway.url}/console/api/logs?trace_id=${traceId}`, {
        headers: { cookie },
      });
      const [record] = ((await response.json()) as { data: { cost: number | null }[] }).data;
      expect(record?.cost, traceId).toBe(cost);
    }
  });
});

describe('the totals agree', () => {
  it('`/metrics` and analytics add up the same costs as the records', async () => {
    const expected = new Map<string, number>();
    for (const { provider, cost } of sent) expected.set(provider, (expected.get(provider) ?? 0) + cost);
    const samples = parsePrometheusText(await (await fetch(metricsUrl)).text());
    const summary = await adminGet<{ data: { group: string | null; cost: number }[] }>(
      '/analytics/summary?group_by=provider&bucket=day',
    );
    for (const [provider, cost] of expected) {
      const metric = samples
        .filter((sample) => sample.name === 'pk_cost_usd_total' && sample.labels.provider === provider)
        .reduce((sum, sample) => sum + sample.value, 0);
      expect(metric, provider).toBeCloseTo(cost, 9);
      const analytics = summary.data
        .filter((row) => row.group === provider)
        .reduce((sum, row) => sum + row.cost, 0);
      expect(analytics, provider).toBeCloseTo(cost, 9);
    }
  });
});
