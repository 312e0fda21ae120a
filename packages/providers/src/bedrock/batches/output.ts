import { fromAnthropicResponse } from '../../anthropic/response.js';
import { isJsonObject } from '../../shared/json.js';
import type { ProviderContext } from '../../spec/provider-adapter.js';

/** An OpenAI batch output line's `error` from Bedrock's `{"errorCode", "errorMessage"}`. */
function errorOf(error: unknown): { code: string; message: string } {
  if (!isJsonObject(error)) return { code: 'failed', message: 'bedrock gave no output for this record' };
  return {
    code: error.errorCode === undefined ? 'failed' : String(error.errorCode),
    message: typeof error.errorMessage === 'string' ? error.errorMessage : JSON.stringify(error),
  };
}

/**
 * One line of a Bedrock job's output (`{"recordId", "modelInput", "modelOutput"}`, or `"error":
 * {"errorCode", "errorMessage"}` for a record that failed) → one line of OpenAI's batch output
 * (`{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`) (pure), the
 * Claude answer translated as a chat completion of `model`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html
 * @see https://platform.openai.com/docs/api-reference/batch/request-output
 */
export function toOpenAIBatchOutputLine(line: unknown, model: string, context: ProviderContext): unknown {
  if (!isJsonObject(line)) return { id: null, custom_id: null, response: null, error: errorOf(undefined) };
  const customId = typeof line.recordId === 'string' ? line.recordId : null;
  const output = line.modelOutput;
  const id = isJsonObject(output) && typeof output.id === 'string' ? output.id : context.generateId();
  if (!isJsonObject(output) || line.error !== undefined) {
    return { id: `batch_req_${id}`, custom_id: customId, response: null, error: errorOf(line.error) };
  }
  const prepared = {
    endpoint: 'chat.completions' as const,
    body: isJsonObject(line.modelInput) ? line.modelInput : {},
    providerOptions: {},
    stream: false,
    clientWantsUsage: false,
  };
  let translated: Record<string, unknown>;
  try {
    translated = { ...fromAnthropicResponse(output, prepared, context) };
  } catch {
    const error = {
      code: 'invalid_output',
      message: 'bedrock gave an output pk cannot read as a Claude message',
    };
    return { id: `batch_req_${id}`, custom_id: customId, response: null, error };
  }
  const body = { ...translated, model };
  return {
    id: `batch_req_${id}`,
    custom_id: customId,
    response: { status_code: 200, request_id: id, body },
    error: null,
  };
}

/**
 * A Bedrock output file's bytes as they come → OpenAI's batch output lines, one line at a time: only
 * the line being read is held, whatever the size of the file.
 */
export async function* openAIBatchOutputOf(
  body: AsyncIterable<Uint8Array>,
  model: string,
  context: ProviderContext,
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let held = '';
  const lineOf = (text: string): Uint8Array | undefined => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    return encoder.encode(`${JSON.stringify(toOpenAIBatchOutputLine(parsed, model, context))}\n`);
  };
  for await (const chunk of body) {
    held += decoder.decode(chunk, { stream: true });
    let end = held.indexOf('\n');
    while (end !== -1) {
      const line = lineOf(held.slice(0, end));
      held = held.slice(end + 1);
      if (line !== undefined) yield line;
      end = held.indexOf('\n');
    }
  }
  const last = lineOf(held + decoder.decode());
  if (last !== undefined) yield last;
}
