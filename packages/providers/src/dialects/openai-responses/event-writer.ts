import type { OpenAIErrorEnvelope } from '@pk/config';
import type { StreamOutput } from '../../spec/provider-adapter.js';
import type { ResponsesOutputItem } from './response-object.js';

/** A finished or open message item's text, and a function call's arguments, by item. */
export interface ItemState {
  readonly item: ResponsesOutputItem;
  readonly outputIndex: number;
  /** Message text (or refusal) or function-call arguments so far. */
  text: string;
  /** A message item whose one part is the model's refusal (`refusal`) rather than `output_text`. */
  readonly refusal: boolean;
}

/**
 * Writes the Responses API's stream events, numbered with `sequence_number` from 0, for the item
 * lifecycles the translation produces: a message (`output_item.added`, `content_part.added`,
 * `output_text.delta`…, `output_text.done`, `content_part.done`, `output_item.done`; a refusal's
 * `refusal.delta`… and `refusal.done` instead of the text's) and a function call (`output_item.added`, `function_call_arguments.delta`…, `.done`, `output_item.done`).
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export class ResponsesEventWriter {
  #sequence: number;

  /** `firstSequenceNumber`: where the numbering starts (an event after others already sent). */
  constructor(firstSequenceNumber = 0) {
    this.#sequence = firstSequenceNumber;
  }

  /** One event as a stream item. */
  event(type: string, fields: Record<string, unknown>): StreamOutput {
    return {
      type: 'data',
      event: type,
      data: JSON.stringify({ type, sequence_number: this.#sequence++, ...fields }),
    };
  }

  /** The `error` event: the Responses API's fields, plus `error` (the OpenAI envelope's) so the openai SDK raises it. */
  error(envelope: OpenAIErrorEnvelope, extra: Readonly<Record<string, unknown>> = {}): StreamOutput {
    const { message, code, param, type } = envelope.error;
    return {
      type: 'error',
      envelope,
      data: JSON.stringify({
        type: 'error',
        sequence_number: this.#sequence++,
        code: code === null ? null : String(code),
        message,
        param,
        error: { type, code, message, param },
        ...extra,
      }),
    };
  }

  /** `output_item.added` (and `content_part.added` for a message), for an item with empty content. */
  itemAdded(state: ItemState): StreamOutput[] {
    const { item, outputIndex } = state;
    if (item.type === 'message') {
      return [
        this.event('response.output_item.added', {
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', content: [] },
        }),
        this.event('response.content_part.added', {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          part: state.refusal
            ? { type: 'refusal', refusal: '' }
            : { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      ];
    }
    return [
      this.event('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
    ];
  }

  /** A piece of text or arguments. */
  delta(state: ItemState, delta: string): StreamOutput {
    state.text += delta;
    const { item, outputIndex } = state;
    if (state.refusal) {
      return this.event('response.refusal.delta', {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        delta,
      });
    }
    return item.type === 'message'
      ? this.event('response.output_text.delta', {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
        })
      : this.event('response.function_call_arguments.delta', {
          item_id: item.id,
          output_index: outputIndex,
          delta,
        });
  }

  /** The closing events of an item; returns them and the finished item. */
  itemDone(state: ItemState): { readonly outputs: StreamOutput[]; readonly item: ResponsesOutputItem } {
    const { item, outputIndex, text } = state;
    if (item.type === 'message') {
      const part = state.refusal
        ? { type: 'refusal', refusal: text }
        : { type: 'output_text', text, annotations: [], logprobs: [] };
      const done: ResponsesOutputItem = { ...item, status: 'completed', content: [part] };
      const where = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      return {
        item: done,
        outputs: [
          state.refusal
            ? this.event('response.refusal.done', { ...where, refusal: text })
            : this.event('response.output_text.done', { ...where, text, logprobs: [] }),
          this.event('response.content_part.done', { ...where, part }),
          this.event('response.output_item.done', { output_index: outputIndex, item: done }),
        ],
      };
    }
    const done: ResponsesOutputItem = { ...item, status: 'completed', arguments: text };
    return {
      item: done,
      outputs: [
        this.event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: outputIndex,
          name: item.name,
          arguments: text,
        }),
        this.event('response.output_item.done', { output_index: outputIndex, item: done }),
      ],
    };
  }
}
