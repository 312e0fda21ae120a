import type { TranslatedChatCompletion } from '../openai-format/chat-completion.js';
import type { EmbeddingList } from '../openai-format/embedding.js';
import { withUsageUnreported } from '../openai-format/usage.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import {
  type GoogleCandidate,
  googleBatchEmbedResponseSchema,
  googleGenerateContentResponseSchema,
} from './api.js';
import { mapGoogleFinishReason } from './finish-reason.js';
import { toOpenAILogprobsFromGoogle } from './logprobs.js';
import { signatureOf } from './thought-signature.js';
import { googleToolCallId } from './tool-call-id.js';
import { toOpenAIUsageFromGoogle } from './usage.js';

type Choice = TranslatedChatCompletion['choices'][number];

function toChoice(options: {
  readonly candidate: GoogleCandidate;
  readonly position: number;
  readonly context: ProviderContext;
  readonly answerId: string;
}): Choice {
  const { candidate, position, context, answerId } = options;
  const strict = context.strictOpenAICompliance;
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: NonNullable<Choice['message']['tool_calls']> = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      toolCalls.push({
        id:
          part.functionCall.id ?? googleToolCallId({ answerId, candidate: position, call: toolCalls.length }),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        ...signatureOf(part.thoughtSignature),
      });
    } else if (typeof part.text === 'string') (part.thought ? thoughts : texts).push(part.text);
  }
  return {
    index: candidate.index ?? position,
    message: {
      role: 'assistant',
      content: texts.length > 0 ? texts.join('') : null,
      refusal: null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      ...(!strict && thoughts.length > 0 ? { reasoning_content: thoughts.join('') } : {}),
    },
    finish_reason: finishReasonFor(
      context,
      candidate.finishReason,
      mapGoogleFinishReason(candidate.finishReason, toolCalls.length > 0),
    ),
    logprobs: toOpenAILogprobsFromGoogle(candidate.logprobsResult),
  };
}

/**
 * A `GenerateContentResponse` → OpenAI chat completion (pure; shared with `vertex-ai`): one choice per
 * candidate, text parts joined, `functionCall` parts as tool calls (arguments as JSON text), thought
 * parts as `reasoning_content` with strict compliance off, `logprobsResult` as `logprobs`, safety
 * stops as `content_filter` (finish reasons kept as they came with native finish reasons on: `STOP`,
 * `MAX_TOKENS`, `SAFETY` …). A prompt
 * blocked before any candidate (`promptFeedback.blockReason`) is one empty `content_filter` choice;
 * a body with neither `candidates` nor `promptFeedback` throws `UpstreamError` (502, unexpected body).
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export function fromGoogleGenerateContent(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion {
  const parsed = googleGenerateContentResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  const answer = parsed.data;
  // Neither an answer nor a refusal (an error page, another API's JSON): a 502, as for other vendors.
  if (answer.candidates == null && answer.promptFeedback == null) throw unexpectedBodyError(context.provider);
  const candidates = answer.candidates ?? [];
  const id = answer.responseId ?? context.generateId();
  const choices: Choice[] =
    candidates.length > 0
      ? candidates.map((candidate, position) => toChoice({ candidate, position, context, answerId: id }))
      : [
          {
            index: 0,
            message: { role: 'assistant', content: null, refusal: null },
            finish_reason: answer.promptFeedback?.blockReason ? 'content_filter' : 'stop',
            logprobs: null,
          },
        ];
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(context.now() / 1000),
    model: answer.modelVersion ?? String(request.body.model ?? ''),
    choices,
    usage: toOpenAIUsageFromGoogle(answer.usageMetadata),
  };
}

/**
 * Gemini answer → OpenAI answer (pure): `generateContent` as a chat completion,
 * `batchEmbedContents` as an embeddings list (Gemini reports no token usage for embeddings: zeros
 * for the client, marked unreported so the caller prices no $0 from them).
 */
export function fromGoogleResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion | EmbeddingList {
  if (request.endpoint !== 'embeddings') return fromGoogleGenerateContent(body, request, context);
  const parsed = googleBatchEmbedResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  return withUsageUnreported({
    object: 'list' as const,
    data: parsed.data.embeddings.map((embedding, index) => ({
      object: 'embedding',
      index,
      embedding: embedding.values,
    })),
    model: String(request.body.model ?? ''),
    usage: { prompt_tokens: 0, total_tokens: 0 },
  });
}
