import { openAIErrorBodySchema } from '../openai/api.js';

/** The error body compatible vendors send: OpenAI's, read leniently. */
export const openAICompatibleErrorBodySchema = openAIErrorBodySchema;
