import { encodeStreamOutput } from '../../shared/sse-encoder.js';
import type { StreamOutput } from '../../spec/provider-adapter.js';
import { type ItemState, ResponsesEventWriter } from './event-writer.js';
import type { ResponsesOutputItem } from './response-object.js';

function textOf(item: Record<string, unknown>): string {
  if (item.type === 'function_call') return typeof item.arguments === 'string' ? item.arguments : '';
  const content = Array.isArray(item.content) ? (item.content as Record<string, unknown>[]) : [];
  return content
    .map((part) =>
      typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : '',
    )
    .join('');
}

/** A stored message whose part is the model's refusal. */
function isRefusal(item: Record<string, unknown>): boolean {
  return (
    item.type === 'message' &&
    Array.isArray(item.content) &&
    (item.content as Record<string, unknown>[])[0]?.type === 'refusal'
  );
}

/**
 * Replays a stored Response as a Responses stream (a streamed request answered from the cache):
 * `response.created`, `response.in_progress`, each message and function-call item with one delta,
 * then `response.completed` (or `.incomplete`) with the stored Response. Other item kinds are sent
 * whole (`output_item.added` / `.done`).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function responsesStreamOf(response: Readonly<Record<string, unknown>>): string {
  const writer = new ResponsesEventWriter();
  const outputs: StreamOutput[] = [];
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
  outputs.push(writer.event('response.created', { response: inProgress }));
  outputs.push(writer.event('response.in_progress', { response: inProgress }));
  const items = Array.isArray(response.output) ? (response.output as ResponsesOutputItem[]) : [];
  items.forEach((item, outputIndex) => {
    if (item.type !== 'message' && item.type !== 'function_call') {
      outputs.push(writer.event('response.output_item.added', { output_index: outputIndex, item }));
      outputs.push(writer.event('response.output_item.done', { output_index: outputIndex, item }));
      return;
    }
    const state: ItemState = { item, outputIndex, text: '', refusal: isRefusal(item) };
    outputs.push(...writer.itemAdded(state));
    outputs.push(writer.delta(state, textOf(item)));
    outputs.push(...writer.itemDone(state).outputs);
  });
  const terminal = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  outputs.push(writer.event(terminal, { response }));
  return outputs.map(encodeStreamOutput).join('');
}
