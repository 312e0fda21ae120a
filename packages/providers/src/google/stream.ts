import type { FinishReason } from '../openai-format/chat-completion.js';
import { createChunkFactory, streamErrorOutput } from '../shared/chunk-factory.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type { StreamSink, StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import {
  type GoogleGenerateContentResponse,
  type GoogleUsageMetadata,
  googleGenerateContentResponseSchema,
} from './api.js';
import { mapGoogleFinishReason } from './finish-reason.js';
import { signatureOf } from './thought-signature.js';
import { googleToolCallId } from './tool-call-id.js';
import { toOpenAIUsageFromGoogle } from './usage.js';

/**
 * Gemini `streamGenerateContent?alt=sse` chunks (each a partial `GenerateContentResponse`) → OpenAI
 * chunks (shared with `vertex-ai`): a role chunk first (and one for each further candidate asked for
 * with `n`, before its first delta, as OpenAI opens every choice), text parts as content, thought parts as
 * `reasoning_content` (strict compliance off), each `functionCall` part as one whole tool call, a
 * `finishReason` as the finish chunk (kept as it came with native finish reasons on; else `SAFETY` and
 * other safety stops mid-stream as `content_filter`,
 * a blocked prompt too), the last `usageMetadata` as the usage chunk when the stream ends, and an
 * in-stream `error` as `event: error`. A stream that ends without a finish reason ends with
 * `PK_ERR_STREAM_INTERRUPTED`; one whose body breaks once every candidate asked for (`n`, Gemini's
 * `candidateCount`) has its finish reason lost nothing (`ended`: that chunk is Gemini's last, with the
 * whole `usageMetadata`).
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function createGoogleStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const { context, request } = options;
  const strict = context.strictOpenAICompliance;
  const chunks = createChunkFactory({
    id: context.generateId(),
    model: String(request.body.model ?? ''),
    created: Math.floor(context.now() / 1000),
  });
  let started = false;
  let failed = false;
  let usage: GoogleUsageMetadata | undefined;
  const toolCounts = new Map<number, number>();
  /** Choices whose role chunk was sent: OpenAI opens every choice with one, and the SDKs want it. */
  const opened = new Set<number>();
  const finished = new Map<number, FinishReason>();
  const candidates = typeof request.body.n === 'number' && request.body.n > 1 ? request.body.n : 1;

  function handle(event: GoogleGenerateContentResponse, controller: StreamSink): void {
    if (event.error) {
      failed = true;
      controller.enqueue(
        streamErrorOutput(
          event.error.message ?? 'the provider reported an error',
          event.error.status ?? 'api_error',
          // Google's `code` is the HTTP status of the error: a stream that opens with it fails with it.
          event.error.code ?? null,
        ),
      );
      return;
    }
    if (!started) {
      started = true;
      if (event.responseId) chunks.id = event.responseId;
      if (event.modelVersion) chunks.model = event.modelVersion;
      opened.add(0);
      controller.enqueue(chunks.chunk({ role: 'assistant', content: '' }));
    }
    if (event.usageMetadata) usage = event.usageMetadata;
    if (event.promptFeedback?.blockReason && !event.candidates?.length) {
      finished.set(0, 'content_filter');
      controller.enqueue(chunks.chunk({}, 'content_filter'));
      return;
    }
    for (const [position, candidate] of (event.candidates ?? []).entries()) {
      const index = candidate.index ?? position;
      if (!opened.has(index)) {
        opened.add(index);
        controller.enqueue(chunks.chunk({ role: 'assistant', content: '' }, null, index));
      }
      for (const part of candidate.content?.parts ?? []) {
        if (part.functionCall) {
          const toolIndex = toolCounts.get(index) ?? 0;
          toolCounts.set(index, toolIndex + 1);
          controller.enqueue(
            chunks.chunk(
              {
                tool_calls: [
                  {
                    index: toolIndex,
                    id:
                      part.functionCall.id ??
                      googleToolCallId({ answerId: chunks.id, candidate: index, call: toolIndex }),
                    type: 'function',
                    function: {
                      name: part.functionCall.name,
                      arguments: JSON.stringify(part.functionCall.args ?? {}),
                    },
                    ...signatureOf(part.thoughtSignature),
                  },
                ],
              },
              null,
              index,
            ),
          );
        } else if (typeof part.text === 'string' && part.text !== '') {
          if (!part.thought) controller.enqueue(chunks.chunk({ content: part.text }, null, index));
          else if (!strict) controller.enqueue(chunks.chunk({ reasoning_content: part.text }, null, index));
        }
      }
      if (candidate.finishReason && !finished.has(index)) {
        const reason = finishReasonFor(
          context,
          candidate.finishReason,
          mapGoogleFinishReason(candidate.finishReason, (toolCounts.get(index) ?? 0) > 0),
        );
        finished.set(index, reason);
        controller.enqueue(chunks.chunk({}, reason, index));
      }
    }
  }

  return {
    transform(message, controller) {
      if (failed) return;
      const parsed = googleGenerateContentResponseSchema.safeParse(parseJsonOrUndefined(message.data));
      if (parsed.success) handle(parsed.data, controller);
    },
    flush(controller) {
      if (failed) return;
      if (finished.size === 0) {
        controller.enqueue(streamInterrupted('the provider stream ended before a finish reason'));
        return;
      }
      const openAIUsage = toOpenAIUsageFromGoogle(usage);
      options.onUsage(openAIUsage);
      if (request.clientWantsUsage) controller.enqueue(chunks.usage(openAIUsage));
    },
    usageSoFar: () => (usage === undefined ? undefined : toOpenAIUsageFromGoogle(usage)),
    ended: () => !failed && finished.size >= candidates,
  };
}
