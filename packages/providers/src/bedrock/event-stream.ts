import { createRequire } from 'node:module';
import type { EventSourceMessage } from 'eventsource-parser';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { fromUtf8, toUtf8 } from '../shared/utf8.js';
import type { StreamDecoder } from '../spec/provider-adapter.js';

/**
 * `@smithy/eventstream-codec` (CommonJS), loaded on the first Bedrock stream: a gateway that never
 * streams from Bedrock never loads it.
 */
const requireModule = createRequire(import.meta.url);
let EventStreamCodecClass: typeof import('@smithy/eventstream-codec').EventStreamCodec | undefined;
function eventStreamCodec(): typeof import('@smithy/eventstream-codec').EventStreamCodec {
  EventStreamCodecClass ??= (
    requireModule('@smithy/eventstream-codec') as typeof import('@smithy/eventstream-codec')
  ).EventStreamCodec;
  return EventStreamCodecClass;
}

/** Largest frame accepted (AWS caps event-stream messages at 16 MiB). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

function headerString(
  headers: Record<string, { type: string; value: unknown }>,
  name: string,
): string | undefined {
  const header = headers[name];
  return header?.type === 'string' && typeof header.value === 'string' ? header.value : undefined;
}

/**
 * An `error` frame (an error the service did not model: its code and message in the `:error-code`
 * and `:error-message` headers, the body usually empty) as an `error` event whose data is
 * `{"message", "code"}`, as the exception events carry their message.
 */
function errorEventOf(
  headers: Record<string, { type: string; value: unknown }>,
  body: string,
): EventSourceMessage {
  const bodyMessage = parseJsonOrUndefined(body);
  const message =
    headerString(headers, ':error-message') ??
    (isJsonObject(bodyMessage) && typeof bodyMessage.message === 'string'
      ? bodyMessage.message
      : undefined) ??
    'the provider reported an error';
  const code = headerString(headers, ':error-code');
  return {
    event: 'error',
    data: JSON.stringify({ message, ...(code === undefined ? {} : { code }) }),
    id: undefined,
  };
}

/**
 * Bedrock's binary `application/vnd.amazon.eventstream` body → events for the stream transformer, fed
 * chunk by chunk. Bytes are cut into whole frames by their length prelude, and each frame is decoded
 * (both CRC32s checked) by `@smithy/eventstream-codec`. An event frame becomes
 * `{ event: <:event-type>, data: <payload> }`; an exception frame `{ event: <:exception-type>, data }`
 * (e.g. `throttlingException`); an error frame `{ event: 'error', data: {"message", "code"} }` from
 * its `:error-message` and `:error-code` headers. A bad CRC, a frame over 16 MiB or a cut frame throws, which ends the
 * client stream with `PK_ERR_STREAM_INTERRUPTED`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html (frame layout, error frames)
 */
export function createBedrockEventStreamDecoder(): StreamDecoder {
  const codec = new (eventStreamCodec())(toUtf8, fromUtf8);
  let buffer: Uint8Array = new Uint8Array(0);
  return {
    push(chunk) {
      if (buffer.length === 0) buffer = chunk;
      else {
        const joined = new Uint8Array(buffer.length + chunk.length);
        joined.set(buffer);
        joined.set(chunk, buffer.length);
        buffer = joined;
      }
      const events: EventSourceMessage[] = [];
      while (buffer.length >= 4) {
        const total = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0);
        if (total < 16 || total > MAX_FRAME_BYTES)
          throw new Error(`invalid event-stream frame length ${total}`);
        if (buffer.length < total) break;
        const message = codec.decode(buffer.subarray(0, total));
        buffer = buffer.slice(total);
        const headers = message.headers as Record<string, { type: string; value: unknown }>;
        const kind = headerString(headers, ':message-type');
        if (kind === 'error') {
          events.push(errorEventOf(headers, toUtf8(message.body)));
          continue;
        }
        const event =
          kind === 'exception'
            ? (headerString(headers, ':exception-type') ?? 'exception')
            : (headerString(headers, ':event-type') ?? 'message');
        events.push({ event, data: toUtf8(message.body), id: undefined });
      }
      return events;
    },
    end() {
      if (buffer.length > 0) throw new Error('the event stream ended inside a frame');
      return [];
    },
  };
}
