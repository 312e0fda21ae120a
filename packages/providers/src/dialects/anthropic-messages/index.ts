import { encodeStreamOutput } from '../../shared/sse-encoder.js';
import type { ClientDialect } from '../client-dialect.js';
import { createMessagesStreamAccumulator } from './accumulator.js';
import { createMessagesChatStreamTransformer } from './chat-stream.js';
import { messagesErrorBodyOf, messagesErrorOutput, messagesStreamErrorBodyOf } from './errors.js';
import { messagesFromChatCompletion } from './from-chat-completion.js';
import { createMessagesNativeStreamTransformer, readNativeMessage } from './native-answer.js';
import { messagesWithoutThoughtSignatures } from './native-request.js';
import { messagesStreamOf } from './replay.js';
import { checkMessagesRequest, messagesToChatRequest } from './to-chat-request.js';

/**
 * Anthropic's Messages API (`POST /v1/messages`) as a client dialect: native on Anthropic and Claude
 * on Vertex AI and Bedrock, translated through chat completions everywhere else (reasoning kept, as
 * thinking blocks).
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicMessagesDialect = {
  keepsReasoning: true,
  checkRequest: checkMessagesRequest,
  toChatRequest: messagesToChatRequest,
  fromChatCompletion: (completion) => messagesFromChatCompletion(completion),
  createChatStreamTransformer: ({ inner, context }) =>
    createMessagesChatStreamTransformer({ inner, context }),
  withoutThoughtSignatures: messagesWithoutThoughtSignatures,
  readNativeAnswer: readNativeMessage,
  createNativeStreamTransformer: ({ onUsage }) => createMessagesNativeStreamTransformer({ onUsage }),
  replayAsStream: (answer) => messagesStreamOf(answer),
  createStreamAccumulator: createMessagesStreamAccumulator,
  errorBody: messagesErrorBodyOf,
  // No sequence numbers in Messages streams; `extra` goes beside `type` and `error`.
  errorFrame: (envelope, options) =>
    options?.extra === undefined
      ? encodeStreamOutput(messagesErrorOutput(envelope))
      : `event: error\ndata: ${JSON.stringify({ ...messagesStreamErrorBodyOf(envelope), ...options.extra })}\n\n`,
} as const satisfies ClientDialect;
