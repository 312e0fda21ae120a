import { createChunkFactory, streamErrorOutput } from '../shared/chunk-factory.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import { choiceLogprobs } from '../shared/token-logprob.js';
import type { StreamSink, StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import { type CohereStreamEvent, cohereStreamEventSchema } from './api.js';
import { mapCohereFinishReason } from './finish-reason.js';
import { toOpenAITokenLogprobsFromCohere } from './logprobs.js';
import { toOpenAIUsageFromCohere } from './usage.js';

/**
 * Cohere chat v2 stream events → OpenAI chunks: `message-start` (id, role chunk), `content-delta`
 * (text with its `logprobs`; `thinking` as `reasoning_content` with strict compliance off), `tool-plan-delta` (content, as
 * the answer's `tool_plan` is), `tool-call-start` (id and name),
 * `tool-call-delta` (arguments), `message-end` (finish reason, usage chunk when asked for, `onUsage`;
 * an `error` in it becomes `event: error`). `content-start`/`-end`, `tool-call-end` and citations carry
 * nothing to translate. Cohere sends nothing after `message-end`: a body that breaks after it lost
 * nothing (`ended`).
 * @see https://docs.cohere.com/v2/docs/streaming
 * @see https://docs.cohere.com/docs/tool-use-streaming
 */
export function createCohereStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const { context, request } = options;
  const strict = context.strictOpenAICompliance;
  const chunks = createChunkFactory({
    id: context.generateId(),
    model: String(request.body.model ?? ''),
    created: Math.floor(context.now() / 1000),
  });
  let finished = false;
  /** `message-end` passed without an error. */
  let ended = false;
  let toolCount = 0;
  const toolIndexOfEvent = new Map<number, number>();

  function handle(event: CohereStreamEvent, controller: StreamSink): void {
    const message = event.delta?.message;
    switch (event.type) {
      case 'message-start':
        if (event.id) chunks.id = event.id;
        controller.enqueue(chunks.chunk({ role: 'assistant', content: '' }));
        return;
      case 'content-delta': {
        const content = Array.isArray(message?.content) ? undefined : message?.content;
        if (typeof content?.text === 'string' && content.text !== '') {
          const logprobs = event.logprobs
            ? choiceLogprobs(toOpenAITokenLogprobsFromCohere([event.logprobs]))
            : undefined;
          controller.enqueue(chunks.chunk({ content: content.text }, null, 0, logprobs));
        } else if (!strict && typeof content?.thinking === 'string' && content.thinking !== '') {
          controller.enqueue(chunks.chunk({ reasoning_content: content.thinking }));
        }
        return;
      }
      case 'tool-plan-delta':
        if (typeof message?.tool_plan === 'string' && message.tool_plan !== '') {
          controller.enqueue(chunks.chunk({ content: message.tool_plan }));
        }
        return;
      case 'tool-call-start': {
        const call = Array.isArray(message?.tool_calls) ? undefined : message?.tool_calls;
        const index = toolCount++;
        toolIndexOfEvent.set(event.index ?? index, index);
        controller.enqueue(
          chunks.chunk({
            tool_calls: [
              {
                index,
                id: call?.id ?? `call_${index}`,
                type: 'function',
                function: { name: call?.function?.name ?? '', arguments: call?.function?.arguments ?? '' },
              },
            ],
          }),
        );
        return;
      }
      case 'tool-call-delta': {
        const index = toolIndexOfEvent.get(event.index ?? 0);
        const call = Array.isArray(message?.tool_calls) ? undefined : message?.tool_calls;
        const fragment = call?.function?.arguments;
        if (index !== undefined && typeof fragment === 'string' && fragment !== '') {
          controller.enqueue(chunks.chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
        }
        return;
      }
      case 'message-end': {
        finished = true;
        const delta = event.delta;
        if (delta?.error || delta?.finish_reason === 'ERROR') {
          controller.enqueue(
            streamErrorOutput(delta?.error ?? 'the provider reported an error', 'api_error'),
          );
          return;
        }
        ended = true;
        controller.enqueue(
          chunks.chunk(
            {},
            finishReasonFor(context, delta?.finish_reason, mapCohereFinishReason(delta?.finish_reason)),
          ),
        );
        const usage = toOpenAIUsageFromCohere(delta?.usage);
        options.onUsage(usage);
        if (request.clientWantsUsage) controller.enqueue(chunks.usage(usage));
        return;
      }
      default:
        return;
    }
  }

  return {
    transform(message, controller) {
      if (finished) return;
      const parsed = cohereStreamEventSchema.safeParse(parseJsonOrUndefined(message.data));
      if (parsed.success) handle(parsed.data, controller);
    },
    flush(controller) {
      if (finished) return;
      controller.enqueue(streamInterrupted('the provider stream ended before message-end'));
    },
    ended: () => ended,
  };
}
