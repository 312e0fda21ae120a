import { describe, expect, it } from 'vitest';
import { translateStream } from '../../execute/stream-pipeline.js';
import { createSseDecoder } from '../../shared/sse-decoder.js';
import { readSseEvents } from '../../test-support/sse-client.js';
import { createResponsesNativeStreamTransformer } from './native-answer.js';

const encoder = new TextEncoder();
const event = (type: string, sequence: number) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence })}\n\n`;
const begun = [
  event('response.created', 0),
  event('response.in_progress', 1),
  event('response.output_text.delta', 2),
];

/** The events a client gets from a native Responses stream whose body is `frames`, then `end`. */
async function clientEvents(frames: readonly string[], end: 'breaks' | 'ends') {
  const body = (async function* () {
    for (const frame of frames) yield encoder.encode(frame);
    if (end === 'breaks') throw new Error('socket hang up');
  })();
  const translated = translateStream({
    body,
    decoder: createSseDecoder(),
    createTransformer: (onUsage) => createResponsesNativeStreamTransformer({ onUsage }),
    doneFrame: '',
  });
  return (await readSseEvents(translated.stream)).map(
    (sent) => JSON.parse(sent.data) as Record<string, unknown>,
  );
}

describe('a native Responses stream cut short', () => {
  it('ends with an error event numbered after the events passed on, when the body breaks', async () => {
    const events = await clientEvents(begun, 'breaks');
    expect(events.map((sent) => [sent.type, sent.sequence_number])).toEqual([
      ['response.created', 0],
      ['response.in_progress', 1],
      ['response.output_text.delta', 2],
      ['error', 3],
    ]);
    expect(events.at(-1)).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });

  it('ends with an error event numbered after the events passed on, when the body ends before response.completed', async () => {
    const events = await clientEvents(begun, 'ends');
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      sequence_number: 3,
      code: 'PK_ERR_STREAM_INTERRUPTED',
    });
  });

  it('numbers the error 0 when nothing was passed on yet', async () => {
    expect(await clientEvents([], 'breaks')).toMatchObject([{ type: 'error', sequence_number: 0 }]);
  });
});
