import type { StreamOutput } from '../spec/provider-adapter.js';

const encoder = new TextEncoder();

/** The SSE frame of one stream item: `data: …` for chunks, `event: error` + `data: {"error":…}` for errors. */
export function encodeStreamOutput(output: StreamOutput): string {
  return output.type === 'data'
    ? `data: ${output.data}\n\n`
    : `event: error\ndata: ${JSON.stringify(output.envelope)}\n\n`;
}

/**
 * Stream items → SSE bytes as OpenAI sends them: no `event:` line on chunks, `data: [DONE]` at the end
 * (not after an error, which ends the stream).
 */
export function createSseEncoderStream(): TransformStream<StreamOutput, Uint8Array> {
  let failed = false;
  return new TransformStream<StreamOutput, Uint8Array>({
    transform(output, controller) {
      if (failed) return;
      if (output.type === 'error') failed = true;
      controller.enqueue(encoder.encode(encodeStreamOutput(output)));
    },
    flush(controller) {
      if (!failed) controller.enqueue(encoder.encode('data: [DONE]\n\n'));
    },
  });
}
