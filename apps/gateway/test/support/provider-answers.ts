import { randomBytes } from 'node:crypto';

// What the provider mock answers by default, in each vendor's documented shape (see provider-mock.ts
// for the references).

/** The default answer text of a chat completion. */
export const MOCK_ANSWER = 'The capital of France is Paris.';
/** The `created` timestamp of every answer. */
export const CREATED = 1_731_000_000;

let answers = 0;
const run = randomBytes(4).toString('hex');
/** A fresh id per answer (unique across runs), so a cached answer is told apart from a fresh one. */
export const nextId = (prefix: string): string => `${prefix}-mock-${run}-${++answers}`;

/** OpenAI usage of every mock answer. */
export function openAIUsage() {
  return { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
}

/** An OpenAI chat completion (https://platform.openai.com/docs/api-reference/chat/object). */
export function chatCompletion(model: string, text = MOCK_ANSWER) {
  return {
    id: nextId('chatcmpl'),
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: openAIUsage(),
    system_fingerprint: 'fp_mock',
  };
}

/** OpenAI chat chunks for `text`, cut in `pieces`, ending with a finish chunk (and usage when asked). */
export function chatChunks(model: string, options: { pieces?: number; usage?: boolean; text?: string } = {}) {
  const text = options.text ?? MOCK_ANSWER;
  const id = nextId('chatcmpl');
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_mock',
  };
  const chunk = (delta: unknown, finish: string | null) =>
    JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const pieces = options.pieces ?? 4;
  const size = Math.ceil(text.length / pieces);
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  for (let offset = 0; offset < text.length; offset += size) {
    frames.push(chunk({ content: text.slice(offset, offset + size) }, null));
  }
  frames.push(chunk({}, 'stop'));
  if (options.usage) frames.push(JSON.stringify({ ...base, choices: [], usage: openAIUsage() }));
  frames.push('[DONE]');
  return frames;
}

/** OpenAI's message for the in-band `server_error` that can end a stream. */
export const IN_BAND_SERVER_ERROR =
  'The server had an error while processing your request. Sorry about that!';

/**
 * An OpenAI stream cut by the provider after it started: the role chunk and two pieces of the answer
 * (`The capital of F`), then OpenAI's in-band `server_error` instead of the rest.
 */
export function chatChunksCutByServerError(model: string): string[] {
  return [
    ...chatChunks(model, { pieces: 4 }).slice(0, 3),
    JSON.stringify(openAIError(500, IN_BAND_SERVER_ERROR)),
  ];
}

/** An OpenAI error body for a status. */
export function openAIError(status: number, message: string) {
  return {
    error: {
      message,
      type: status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error',
      param: null,
      code: null,
    },
  };
}

/** An Anthropic message with a thinking block (https://docs.anthropic.com/en/api/messages). */
export function anthropicMessage(model: string) {
  return {
    id: nextId('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content: [
      { type: 'thinking', thinking: 'France’s capital is Paris.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' },
      { type: 'text', text: MOCK_ANSWER },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 9 },
  };
}

/** A Gemini `generateContent` answer (Vertex AI inference reference). */
export function geminiAnswer() {
  return {
    candidates: [
      { content: { role: 'model', parts: [{ text: MOCK_ANSWER }] }, finishReason: 'STOP', index: 0 },
    ],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 },
    modelVersion: 'gemini-1.5-pro',
  };
}

/** A Bedrock Converse answer (API_runtime_Converse). */
export function converseAnswer() {
  return {
    output: { message: { role: 'assistant', content: [{ text: MOCK_ANSWER }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 },
    metrics: { latencyMs: 120 },
  };
}
