import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../../test-support/fixtures.js';
import { createMessagesStreamAccumulator } from './accumulator.js';
import { messagesStreamOf } from './replay.js';

function accumulate(text: string): unknown {
  const accumulator = createMessagesStreamAccumulator();
  // Fed in small pieces, as a client's socket would deliver it.
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += 7) accumulator.push(bytes.subarray(at, at + 7));
  return accumulator.result();
}

describe('a stored Message replayed as a stream', () => {
  it.each(['text.json', 'tool-call.json', 'thinking-tool-call.json'])(
    '%s: the accumulated stream is the stored Message',
    (fixture) => {
      const message = readJsonFixture('anthropic', fixture);
      const stream = messagesStreamOf(message);
      expect(stream.startsWith('event: message_start\n')).toBe(true);
      expect(stream.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
      expect(accumulate(stream)).toEqual(message);
    },
  );

  it('the accumulator keeps nothing from a stream with an error event, or one not finished', () => {
    const message = readJsonFixture('anthropic', 'text.json');
    const stream = messagesStreamOf(message);
    expect(accumulate(stream.replace('event: message_delta', 'event: error'))).toBeUndefined();
    expect(accumulate(stream.slice(0, stream.indexOf('event: message_stop')))).toBeUndefined();
  });
});
