import type {
  ChatCompletion,
  FinishReason,
  TranslatedChatCompletion,
} from '../openai-format/chat-completion.js';
import type { OpenAIUsage } from '../openai-format/usage.js';

type Message = ChatCompletion['choices'][number]['message'];

/** One tool call of an answer. */
export type ChatCompletionToolCall = NonNullable<Message['tool_calls']>[number];

/**
 * The OpenAI `chat.completion` of a translated single-choice answer: texts joined into `content`
 * (`null` when there is none), `refusal: null`, `tool_calls` only when there are some, and
 * `extras` (`reasoning_content`, `thinking_blocks`) added to the message as given.
 */
export function buildChatCompletion(answer: {
  readonly id: string;
  readonly model: string;
  /** Current time in ms (`created` is in seconds). */
  readonly now: number;
  readonly texts: readonly string[];
  readonly toolCalls: readonly ChatCompletionToolCall[];
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly finishReason: FinishReason;
  readonly usage: OpenAIUsage;
  /** The choice's `logprobs` (`null` when there are none). */
  readonly logprobs?: unknown;
}): TranslatedChatCompletion {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(answer.now / 1000),
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.texts.length > 0 ? answer.texts.join('') : null,
          refusal: null,
          ...(answer.toolCalls.length > 0 ? { tool_calls: [...answer.toolCalls] } : {}),
          ...answer.extras,
        },
        finish_reason: answer.finishReason,
        logprobs: answer.logprobs ?? null,
      },
    ],
    usage: answer.usage,
  };
}
