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

/** OpenAI's terminal event: the whole Response, with its usage. */
const completed = (sequence: number) =>
  `event: response.completed\ndata: ${JSON.stringify({
    type: 'response.completed',
    sequence_number: sequence,
    response: {
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1-2025-04-14',
      output: [],
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 21,
      },
    },
  })}\n\n`;

/** A native Responses stream whose body is `frames`, then `end`, as translated for the client. */
function translatedBody(frames: readonly string[], end: 'breaks' | 'ends') {
  const body = (async function* () {
    for (const frame of frames) yield encoder.encode(frame);
    if (end === 'breaks') throw new Error('socket hang up');
  })();
  return translateStream({
    body,
    decoder: createSseDecoder(),
    createTransformer: (onUsage) => createResponsesNativeStreamTransformer({ onUsage }),
    doneFrame: '',
  });
}

/** The events a client gets from a native Responses stream whose body is `frames`, then `end`. */
async function clientEvents(frames: readonly string[], end: 'breaks' | 'ends') {
  return (await readSseEvents(translatedBody(frames, end).stream)).map(
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

  it('ends whole, without an error event, when the body breaks after response.completed, and keeps its usage', async () => {
    const translated = translatedBody([...begun, completed(3)], 'breaks');
    const events = (await readSseEvents(translated.stream)).map(
      (sent) => JSON.parse(sent.data) as Record<string, unknown>,
    );
    expect(events.map((sent) => sent.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(await translated.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 9,
      total_tokens: 21,
    });
    expect(translated.progress.error).toBeUndefined();
    expect(translated.progress.partialUsage).toBeUndefined();
  });
});
