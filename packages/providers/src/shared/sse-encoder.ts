import type { StreamOutput } from '../spec/provider-adapter.js';

/**
 * The SSE frame of one stream item: `data: …` for chunks (with an `event:` line when the item names
 * one), `event: error` + `data: …` for errors (the item's dialect payload, else the OpenAI envelope).
 */
export function encodeStreamOutput(output: StreamOutput): string {
  if (output.type === 'error') {
    return `event: error\ndata: ${output.data ?? JSON.stringify(output.envelope)}\n\n`;
  }
  return output.event === undefined
    ? `data: ${output.data}\n\n`
    : `event: ${output.event}\ndata: ${output.data}\n\n`;
}

/** The frame that ends a stream that did not fail, as OpenAI sends it. */
export const DONE_FRAME = 'data: [DONE]\n\n';
