import { signedIdOfToolCall } from '../../google/signed-tool-call-id.js';
import type { ChatCompletion } from '../../openai-format/chat-completion.js';
import {
  functionItemId,
  messageItemId,
  type ResponsesOutputItem,
  responseId,
  responseObjectOf,
  responsesStatusOf,
  responsesUsageOf,
} from './response-object.js';

/**
 * OpenAI chat completion → Response object (pure): the text as one `message` item with an
 * `output_text` part, a refusal as a `message` item with a `refusal` part, each tool call as a `function_call` item (`call_id` the tool call's id, with a Gemini thought
 * signature carried in it, see `idWithThoughtSignature`);
 * `finish_reason: length` gives `status: incomplete` (`max_output_tokens`); usage renamed.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function responseFromChatCompletion(
  completion: ChatCompletion,
  request: Readonly<Record<string, unknown>>,
  droppedChatParameters?: ReadonlySet<string>,
): Record<string, unknown> {
  const choice = completion.choices[0];
  const message = choice?.message;
  const { status, incompleteDetails } = responsesStatusOf(choice?.finish_reason);
  const output: ResponsesOutputItem[] = [];
  if (typeof message?.content === 'string' && message.content !== '') {
    output.push({
      id: messageItemId(completion.id),
      type: 'message',
      status,
      role: 'assistant',
      content: [{ type: 'output_text', text: message.content, annotations: [], logprobs: [] }],
    });
  }
  if (typeof message?.refusal === 'string' && message.refusal !== '') {
    // The model's refusal (Structured Outputs): a message whose part is a `refusal`.
    output.push({
      id: output.length === 0 ? messageItemId(completion.id) : `${messageItemId(completion.id)}_1`,
      type: 'message',
      status,
      role: 'assistant',
      content: [{ type: 'refusal', refusal: message.refusal }],
    });
  }
  for (const call of message?.tool_calls ?? []) {
    output.push({
      id: functionItemId(call.id),
      type: 'function_call',
      status: 'completed',
      call_id: signedIdOfToolCall(call),
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  return responseObjectOf(request, {
    id: responseId(completion.id),
    createdAt: completion.created,
    model: completion.model,
    status,
    incompleteDetails,
    output,
    usage: responsesUsageOf(completion.usage),
    droppedChatParameters,
  });
}
