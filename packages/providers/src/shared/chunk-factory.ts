import type { FinishReason } from '../openai-format/chat-completion.js';
import type {
  ChatCompletionChunk,
  TranslatedChatCompletionChunk,
} from '../openai-format/chat-completion-chunk.js';
import type { OpenAIUsage } from '../openai-format/usage.js';
import type { StreamOutput } from '../spec/provider-adapter.js';

/** The delta of one chunk. */
export type ChunkDelta = ChatCompletionChunk['choices'][number]['delta'];

/** Builds the stream items of one translated stream: id, created and model are shared by every chunk. */
export interface ChunkFactory {
  /** The id (the vendor's, once known). */
  id: string;
  /** The model (the vendor's, once known). */
  model: string;
  /** A chunk of choice 0 (or `index`), with the `logprobs` of its delta when there are some. */
  chunk(
    delta: ChunkDelta,
    finishReason?: FinishReason | null,
    index?: number,
    logprobs?: unknown,
  ): StreamOutput;
  /** The usage chunk (`choices: []`). */
  usage(usage: OpenAIUsage): StreamOutput;
}

/** A {@link ChunkFactory} starting with the given id and model; `created` is fixed at creation. */
export function createChunkFactory(options: {
  readonly id: string;
  readonly model: string;
  readonly created: number;
}): ChunkFactory {
  const factory: ChunkFactory = {
    id: options.id,
    model: options.model,
    chunk(delta, finishReason = null, index = 0, logprobs = undefined) {
      const value: TranslatedChatCompletionChunk = {
        id: factory.id,
        object: 'chat.completion.chunk',
        created: options.created,
        model: factory.model,
        choices: [
          { index, delta, ...(logprobs === undefined ? {} : { logprobs }), finish_reason: finishReason },
        ],
      };
      return { type: 'data', data: JSON.stringify(value) };
    },
    usage(usage) {
      const value: ChatCompletionChunk = {
        id: factory.id,
        object: 'chat.completion.chunk',
        created: options.created,
        model: factory.model,
        choices: [],
        usage,
      };
      return { type: 'data', data: JSON.stringify(value) };
    },
  };
  return factory;
}

/** The `event: error` item for a vendor error seen after a 200. */
export function streamErrorOutput(
  message: string,
  type: string | null,
  code: string | number | null = null,
): StreamOutput {
  return { type: 'error', envelope: { error: { message, type, param: null, code } } };
}

/** OpenAI usage from prompt and completion counts (cached and reasoning tokens when known). */
export function openAIUsageOf(options: {
  readonly prompt: number;
  readonly completion: number;
  readonly cached?: number | undefined;
  readonly reasoning?: number | undefined;
}): OpenAIUsage {
  return {
    prompt_tokens: options.prompt,
    completion_tokens: options.completion,
    total_tokens: options.prompt + options.completion,
    ...(options.cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: options.cached } }),
    ...(options.reasoning === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: options.reasoning } }),
  };
}
