/**
 * zod schemas of OpenAI's answer types that the matrix and harness tests check every answer against:
 * the chat completion, the chunk, the embeddings list and the error envelope.
 */
export { openAIErrorEnvelopeSchema } from '@pk/config';
/** The same objects with native finish reasons (strict OpenAI compliance off): any vendor string. */
export { chatCompletionSchema, translatedChatCompletionSchema } from '../openai-format/chat-completion.js';
export {
  chatCompletionChunkSchema,
  translatedChatCompletionChunkSchema,
} from '../openai-format/chat-completion-chunk.js';
export { embeddingListSchema } from '../openai-format/embedding.js';
