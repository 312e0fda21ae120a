import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamDecoder } from '../spec/provider-adapter.js';
import { createUtf8StreamDecoder } from './utf8-stream-decoder.js';

/**
 * The default framing stage: UTF-8 bytes → SSE events (eventsource-parser, fed chunk by chunk; a
 * character or a line split across chunks is held until it completes). An event not closed by a blank
 * line when the body ends is dropped, as the SSE specification says.
 */
export function createSseDecoder(): StreamDecoder {
  const text = createUtf8StreamDecoder();
  let events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const take = (): EventSourceMessage[] => {
    const taken = events;
    events = [];
    return taken;
  };
  return {
    push(bytes) {
      parser.feed(text.write(bytes));
      return events.length === 0 ? [] : take();
    },
    end() {
      const rest = text.end();
      if (rest !== '') parser.feed(rest);
      return take();
    },
  };
}
