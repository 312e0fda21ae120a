import { encodeStreamOutput } from '../../shared/sse-encoder.js';
import type { ClientDialect } from '../client-dialect.js';
import { createResponsesStreamAccumulator } from './accumulator.js';
import { createResponsesChatStreamTransformer } from './chat-stream.js';
import { ResponsesEventWriter } from './event-writer.js';
import { responseFromChatCompletion } from './from-chat-completion.js';
import { createResponsesNativeStreamTransformer, readNativeResponse } from './native-answer.js';
import { responsesWithoutThoughtSignatures } from './native-request.js';
import { responsesStreamOf } from './replay.js';
import { checkResponsesRequest, responsesToChatRequest } from './to-chat-request.js';

/**
 * OpenAI's Responses API (`POST /v1/responses`) as a client dialect: native on OpenAI and Azure
 * OpenAI, translated through chat completions everywhere else. Errors keep OpenAI's envelope.
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export const openAIResponsesDialect = {
  keepsReasoning: false,
  checkRequest: checkResponsesRequest,
  toChatRequest: responsesToChatRequest,
  fromChatCompletion: (completion, request, _context, dropped) =>
    responseFromChatCompletion(completion, request, dropped),
  createChatStreamTransformer: createResponsesChatStreamTransformer,
  withoutThoughtSignatures: responsesWithoutThoughtSignatures,
  readNativeAnswer: readNativeResponse,
  createNativeStreamTransformer: ({ onUsage }) => createResponsesNativeStreamTransformer({ onUsage }),
  replayAsStream: (answer) => responsesStreamOf(answer),
  createStreamAccumulator: createResponsesStreamAccumulator,
  errorBody: (envelope) => envelope,
  errorFrame: (envelope, options) =>
    encodeStreamOutput(new ResponsesEventWriter(options?.sequenceNumber).error(envelope, options?.extra)),
} as const satisfies ClientDialect;
