import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Binary event-stream frames for `.chunks.txt` lines of the form `{"<event type>": payload}` (the
 * `ConverseStreamOutput` union as AWS documents it): an event frame per line, or an exception frame
 * when the type ends in `Exception`. Encoded with the codec; one test builds a frame by hand instead.
 */
export function bedrockFramesFromChunks(lines: readonly string[]): Uint8Array[] {
  return lines.map((line) => {
    const [type = 'unknown', payload] = Object.entries(JSON.parse(line) as Record<string, unknown>)[0] ?? [];
    const exception = type.endsWith('Exception');
    return codec.encode({
      headers: {
        ':message-type': { type: 'string', value: exception ? 'exception' : 'event' },
        [exception ? ':exception-type' : ':event-type']: { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    });
  });
}
