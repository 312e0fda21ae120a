import type { StreamOutput } from '../spec/provider-adapter.js';

/** The SSE frame of one stream item: `data: …` for chunks, `event: error` + `data: {"error":…}` for errors. */
export function encodeStreamOutput(output: StreamOutput): string {
  return output.type === 'data'
    ? `data: ${output.data}\n\n`
    : `event: error\ndata: ${JSON.stringify(output.envelope)}\n\n`;
}

/** The frame that ends a stream that did not fail, as OpenAI sends it. */
export const DONE_FRAME = 'data: [DONE]\n\n';
