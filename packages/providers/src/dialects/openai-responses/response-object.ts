import type { OpenAIFinishReason } from '../../openai-format/chat-completion.js';
import { completionTokensOf, type OpenAIUsage } from '../../openai-format/usage.js';
import { isJsonObject } from '../../shared/json.js';

/** An output item of a Response (a message or a function call). */
export type ResponsesOutputItem = Record<string, unknown> & { readonly type: string; readonly id: string };

/** The Responses API's usage object. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** OpenAI chat usage → Responses usage (`prompt_tokens` → `input_tokens` …). */
export function responsesUsageOf(usage: OpenAIUsage | undefined): ResponsesUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = completionTokensOf(usage);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

/** Responses usage → OpenAI chat usage, for the log. */
export function openAIUsageOfResponses(value: unknown): OpenAIUsage | undefined {
  if (!isJsonObject(value)) return undefined;
  const input = typeof value.input_tokens === 'number' ? value.input_tokens : 0;
  const output = typeof value.output_tokens === 'number' ? value.output_tokens : 0;
  const inputDetails = isJsonObject(value.input_tokens_details) ? value.input_tokens_details : {};
  const outputDetails = isJsonObject(value.output_tokens_details) ? value.output_tokens_details : {};
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: typeof value.total_tokens === 'number' ? value.total_tokens : input + output,
    prompt_tokens_details: {
      cached_tokens: typeof inputDetails.cached_tokens === 'number' ? inputDetails.cached_tokens : 0,
    },
    completion_tokens_details: {
      reasoning_tokens:
        typeof outputDetails.reasoning_tokens === 'number' ? outputDetails.reasoning_tokens : 0,
    },
  };
}

/** A Response's status and why it is incomplete, from the chat finish reason. */
export function responsesStatusOf(finishReason: OpenAIFinishReason | null | undefined): {
  readonly status: 'completed' | 'incomplete';
  readonly incompleteDetails: { reason: string } | null;
} {
  if (finishReason === 'length')
    return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter')
    return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}

/** What a Response object is built from besides the client's request. */
export interface ResponseParts {
  readonly id: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  readonly model: string;
  readonly status: 'in_progress' | 'completed' | 'incomplete';
  readonly incompleteDetails: { reason: string } | null;
  readonly output: readonly ResponsesOutputItem[];
  readonly usage: ResponsesUsage | null;
  /** The chat parameters the target dropped: a setting they carried is echoed as not applied. */
  readonly droppedChatParameters?: ReadonlySet<string> | undefined;
}

/**
 * The Response object: the answer's parts plus the request's settings echoed as OpenAI echoes them
 * (instructions, tools, `tool_choice`, `text`, sampling, metadata; `reasoning.effort` only when the
 * target received it), `store: false` (a translated
 * response is never stored) and `previous_response_id: null`.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function responseObjectOf(request: Readonly<Record<string, unknown>>, parts: ResponseParts) {
  const reasoning = isJsonObject(request.reasoning) ? request.reasoning : {};
  // `reasoning.effort` travels as `reasoning_effort`: a target that dropped it applied no effort.
  const effort =
    typeof reasoning.effort === 'string' && !parts.droppedChatParameters?.has('reasoning_effort')
      ? reasoning.effort
      : null;
  return {
    id: parts.id,
    object: 'response',
    created_at: parts.createdAt,
    status: parts.status,
    background: false,
    error: null,
    incomplete_details: parts.incompleteDetails,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    model: parts.model,
    output: [...parts.output],
    parallel_tool_calls:
      typeof request.parallel_tool_calls === 'boolean' ? request.parallel_tool_calls : true,
    previous_response_id: null,
    reasoning: { effort, summary: null },
    store: false,
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    text: isJsonObject(request.text) ? request.text : { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
    truncation: 'disabled',
    usage: parts.usage,
    user: typeof request.user === 'string' ? request.user : null,
    metadata: isJsonObject(request.metadata) ? request.metadata : {},
  };
}

/** The id of the message item of a response answered by chat completion `chatId`. */
export function messageItemId(chatId: string): string {
  return `msg_${chatId}`;
}

/** The id of the function-call item for tool call `callId`. */
export function functionItemId(callId: string): string {
  return `fc_${callId}`;
}

/** The response id for chat completion `chatId`. */
export function responseId(chatId: string): string {
  return `resp_${chatId}`;
}
