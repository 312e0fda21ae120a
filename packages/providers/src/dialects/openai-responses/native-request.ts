import { isJsonObject } from '../../shared/json.js';
import { mapChangedItems, withUnsignedToolCallId } from '../unsigned-tool-call-ids.js';

/**
 * A Responses body for a target that speaks Responses natively (OpenAI, Azure OpenAI): every input
 * item's `call_id` (`function_call`, `function_call_output`, …) that carries a Gemini thought signature
 * is given back as the call's own id (OpenAI refuses a `call_id` over 64 characters). The body itself
 * when no id carries one, so the client's bytes can still be sent as they came.
 */
export function responsesWithoutThoughtSignatures(
  body: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const input = body.input;
  if (!Array.isArray(input)) return body;
  const unsigned = mapChangedItems(input, (item) =>
    isJsonObject(item) ? withUnsignedToolCallId(item, 'call_id') : item,
  );
  return unsigned === input ? body : { ...body, input: unsigned };
}
